using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Headers;

namespace CompatAI.Gateway.Providers;

/// <summary>The gateway's shared <see cref="HttpClient"/> for upstream calls; it adds the request's allow-listed headers.</summary>
internal sealed class UpstreamHttpClient : IDisposable
{
    public UpstreamHttpClient()
    {
        var sockets = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            MaxConnectionsPerServer = int.MaxValue,
        };
        Client = new HttpClient(new ForwardedHeadersHandler(sockets), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public HttpClient Client { get; }

    public void Dispose() => Client.Dispose();

    /// <summary>Copies the allow-listed inbound headers of the current gateway request onto the upstream request.</summary>
    private sealed class ForwardedHeadersHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (GatewayRequestContext.Current is { } context)
            {
                foreach (var (name, value) in context.Headers)
                {
                    if (!InboundHeaderFilter.IsCredentialHeader(name) && !request.Headers.Contains(name))
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }
                }
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
