using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>An in-process IChatClient whose answers are given by delegates, and which records what it received.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    public Func<IList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>? OnResponse { get; init; }

    public Func<IList<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? OnStream { get; init; }

    public List<(IList<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (Calls)
        {
            Calls.Add((list, options));
        }

        return OnResponse is null
            ? Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "scripted")) { FinishReason = ChatFinishReason.Stop })
            : OnResponse(list, options, cancellationToken);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (Calls)
        {
            Calls.Add((list, options));
        }

        if (OnStream is null)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "scripted");
            yield break;
        }

        await foreach (var update in OnStream(list, options, cancellationToken).WithCancellation(cancellationToken))
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
