using System.Net;
using System.Net.Http.Headers;

namespace CompatAI.Benchmarks;

/// <summary>
/// Answers every request with the same pre-built bytes, without any network. The request body is drained first so
/// that request serialization (lazy in the SDK's pipeline) is paid for, as it would be on a real socket. The status is
/// 200 unless another is given (a canned 500 or 429 for the failover benchmark).
/// </summary>
internal sealed class CannedResponseHandler(byte[] body, string mediaType, HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            await content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        var response = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(body),
        };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return response;
    }
}
