using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Headers;

namespace CompatAI.Gateway.Providers;

/// <summary>The gateway's shared <see cref="HttpClient"/> for upstream calls; it adds the request's allow-listed headers.</summary>
internal sealed class UpstreamHttpClient : IDisposable
{
    private readonly SocketsHttpHandler _sockets;

    public UpstreamHttpClient()
    {
        _sockets = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
        };
        var forwarding = new ForwardedHeadersHandler(_sockets);
        Client = new HttpClient(forwarding, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        Http11Client = new HttpClient(new ForceHttp11Handler(forwarding), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Gets the client for most providers.</summary>
    public HttpClient Client { get; }

    /// <summary>Gets the client for providers whose catalog profile asks for HTTP/1.1 only.</summary>
    public HttpClient Http11Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        Http11Client.Dispose();
        _sockets.Dispose();
    }

    /// <summary>Pins requests to HTTP/1.1, for providers whose catalog profile says so.</summary>
    private sealed class ForceHttp11Handler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Version = System.Net.HttpVersion.Version11;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return base.SendAsync(request, cancellationToken);
        }
    }

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
