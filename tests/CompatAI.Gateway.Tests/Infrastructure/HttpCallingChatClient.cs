using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>Stands in for a configured provider's client: POSTs to a loopback upstream with the HttpClient the gateway hands it.</summary>
internal sealed class HttpCallingChatClient(HttpClient http, Uri endpoint, string? apiKey) : IChatClient
{
    public string? ApiKey { get; } = apiKey;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "chat/completions")) { Content = new StringContent("{}") };
        if (ApiKey is not null)
        {
            request.Headers.Authorization = new("Bearer", ApiKey);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{options?.ModelId}:{text}")) { FinishReason = ChatFinishReason.Stop };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
