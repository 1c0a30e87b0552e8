using System.Net;

namespace CompatAI;

/// <summary>Pins every request to HTTP/1.1 for providers whose gateways misbehave on HTTP/2.</summary>
internal sealed class ForceHttp11Handler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Version = HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return base.SendAsync(request, cancellationToken);
    }
}
