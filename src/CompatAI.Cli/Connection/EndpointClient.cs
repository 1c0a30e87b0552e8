using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace CompatAI.Cli;

/// <summary>
/// Raw HTTP to an OpenAI-compatible endpoint with an explicit auth style, for the checks the pipeline cannot make
/// (which header the key belongs in, which URL answers, what a parameter does on the wire).
/// </summary>
internal sealed class EndpointClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly IReadOnlyDictionary<string, string> _headers;

    public EndpointClient(IReadOnlyDictionary<string, string>? headers = null, TimeSpan? timeout = null)
    {
        _http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        _headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The URL of <paramref name="path"/> under <paramref name="baseUrl"/> (which may or may not end with a slash).</summary>
    public static Uri Combine(Uri baseUrl, string path) => new(baseUrl.AbsoluteUri.TrimEnd('/') + "/" + path.TrimStart('/'));

    public Task<HttpAttempt> GetAsync(Uri baseUrl, string path, Credential credential, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, Combine(baseUrl, path), null, credential, cancellationToken);

    public Task<HttpAttempt> PostChatAsync(Uri baseUrl, JsonObject body, Credential credential, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, Combine(baseUrl, "chat/completions"), body.ToJsonString(), credential, cancellationToken);

    public Task<HttpAttempt> PostRawAsync(Uri baseUrl, string path, string body, Credential credential, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, Combine(baseUrl, path), body, credential, cancellationToken);

    private async Task<HttpAttempt> SendAsync(HttpMethod method, Uri url, string? body, Credential credential, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in _headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        credential.Apply(request.Headers);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return new HttpAttempt(url, (int)response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, null);
        }
        catch (HttpRequestException ex)
        {
            return new HttpAttempt(url, null, string.Empty, null, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new HttpAttempt(url, null, string.Empty, null, new TimeoutException($"No answer from {url} within {_http.Timeout.TotalSeconds:0} s.", ex));
        }
    }

    public void Dispose() => _http.Dispose();
}
