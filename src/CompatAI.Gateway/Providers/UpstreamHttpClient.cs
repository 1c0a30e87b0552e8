using System.Diagnostics;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Configuration;
using CompatAI.Gateway.Headers;
using Microsoft.Extensions.Options;

namespace CompatAI.Gateway.Providers;

/// <summary>
/// The gateway's one pooled <see cref="HttpClient"/> for upstream calls, passed to every provider as
/// <see cref="CompatChatClientOptions.HttpClient"/>. Its only addition is copying the allow-listed inbound headers of the
/// current request (<see cref="GatewayRequestContext.Current"/>) onto the upstream request, and not sending the W3C trace
/// context unless <see cref="GatewayOptions.PropagateTraceContext"/> is on.
/// </summary>
internal sealed class UpstreamHttpClient : IDisposable
{
    private readonly SocketsHttpHandler _sockets;

    public UpstreamHttpClient(IOptions<GatewayOptions> options)
    {
        _sockets = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            // One pooled client serves every gateway client: a cookie one upstream answer sets must not ride along on
            // other clients' requests (and the cookie container's per-request work is saved).
            UseCookies = false,
            // .NET writes traceparent/tracestate/baggage from Activity.Current (the gateway's request activity, a child
            // of the client's trace) on every outgoing request; only an explicit opt-in lets that reach providers.
            ActivityHeadersPropagator = options.Value.PropagateTraceContext
                ? DistributedContextPropagator.Current
                : DistributedContextPropagator.CreateNoOutputPropagator(),
        };

        // The library's pipeline enforces per-attempt timeouts; HttpClient's own 100 s limit would cut long streams.
        Client = new HttpClient(new ForwardedHeadersHandler(_sockets), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Gets the client every configured provider sends with.</summary>
    public HttpClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        _sockets.Dispose();
    }

    /// <summary>Copies the allow-listed inbound headers of the current gateway request onto the upstream request.</summary>
    private sealed class ForwardedHeadersHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (GatewayRequestContext.Current is { Headers.Count: > 0 } context)
            {
                // The endpoint's headers are a Dictionary: enumerated as one, without boxing its enumerator per request.
                if (context.Headers is Dictionary<string, string> headers)
                {
                    foreach (var (name, value) in headers)
                    {
                        Forward(request, name, value);
                    }
                }
                else
                {
                    foreach (var (name, value) in context.Headers)
                    {
                        Forward(request, name, value);
                    }
                }
            }

            return base.SendAsync(request, cancellationToken);
        }

        private static void Forward(HttpRequestMessage request, string name, string value)
        {
            if (!InboundHeaderFilter.IsCredentialHeader(name) && !request.Headers.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }
}
