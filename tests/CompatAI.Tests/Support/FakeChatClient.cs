using System.Runtime.CompilerServices;
using CompatAI;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Support;

/// <summary>An inner client for middleware unit tests: records what it was sent and answers with what the test supplies.</summary>
internal sealed class FakeChatClient : IChatClient
{
    public ProviderProfile? Profile { get; init; }

    public string? DefaultModel { get; init; }

    public Func<IList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>? OnGet { get; set; }

    public Func<IList<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? OnStream { get; set; }

    public List<(IList<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Calls.Add((list, options));
        return OnGet is null ? Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))) : OnGet(list, options, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Calls.Add((list, options));
        return OnStream is null ? Single(cancellationToken) : OnStream(list, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ProviderProfile))
        {
            return Profile;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return new ChatClientMetadata(Profile?.Name ?? "fake", defaultModelId: DefaultModel);
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
    }

    public static async IAsyncEnumerable<ChatResponseUpdate> Updates(IEnumerable<ChatResponseUpdate> updates, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in updates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return update;
        }
    }

#pragma warning disable CS1998 // Completes synchronously on purpose: property tests run thousands of streams.
    public static async IAsyncEnumerable<ChatResponseUpdate> ImmediateUpdates(IEnumerable<ChatResponseUpdate> updates)
    {
        foreach (var update in updates)
        {
            yield return update;
        }
    }
#pragma warning restore CS1998

    private static async IAsyncEnumerable<ChatResponseUpdate> Single([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "ok") { FinishReason = ChatFinishReason.Stop };
    }
}
