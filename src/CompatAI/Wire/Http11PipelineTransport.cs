using System.ClientModel.Primitives;
using System.Net;

namespace CompatAI;

/// <summary>
/// Sends every request as HTTP/1.1 exactly, for providers whose servers mishandle HTTP/2 (DashScope). It works over any
/// <see cref="HttpClient"/>, including one the application supplies, because the version is set per request.
/// </summary>
internal sealed class Http11PipelineTransport(HttpClient client) : HttpClientPipelineTransport(client)
{
    protected override void OnSendingRequest(PipelineMessage message, HttpRequestMessage httpRequest)
    {
        httpRequest.Version = HttpVersion.Version11;
        httpRequest.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        base.OnSendingRequest(message, httpRequest);
    }
}
