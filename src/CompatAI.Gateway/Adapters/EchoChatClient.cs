using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Adapters;

/// <summary>
/// The built-in <c>echo</c> provider: needs no network. <c>echo-1</c> answers with the user's last text;
/// <c>story-1</c> streams a short tale. Useful for a first <c>curl</c>, for tests and for benchmarks.
/// </summary>
public sealed class EchoChatClient : IChatClient
{
    /// <summary>The model that repeats the user's last message.</summary>
    public const string EchoModel = "echo-1";

    /// <summary>The model that tells a short story.</summary>
    public const string StoryModel = "story-1";

    /// <summary>Gets the models the echo provider serves.</summary>
    public static IReadOnlyList<string> Models { get; } = [EchoModel, StoryModel];

    private const string Story =
        "Once upon a time, a small packet left its home on 127.0.0.1. It crossed one gateway, " +
        "met a friendly model, and came back carrying a story. The end.";

    private static readonly ChatClientMetadata s_metadata = new("echo", null, EchoModel);

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (model, text, inputWords) = Answer(messages, options);
        var outputWords = CountWords(text);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = model,
            ResponseId = "chatcmpl-echo-" + Guid.NewGuid().ToString("N"),
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = inputWords, OutputTokenCount = outputWords, TotalTokenCount = inputWords + outputWords },
        };
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (model, text, inputWords) = Answer(messages, options);
        var id = "chatcmpl-echo-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? words[i] : " " + words[i])
            {
                ResponseId = id,
                ModelId = model,
                CreatedAt = created,
            };
            if (model == StoryModel)
            {
                await Task.Yield();
            }
        }

        yield return new ChatResponseUpdate { ResponseId = id, ModelId = model, CreatedAt = created, FinishReason = ChatFinishReason.Stop, Role = ChatRole.Assistant };
        yield return new ChatResponseUpdate
        {
            ResponseId = id,
            ModelId = model,
            CreatedAt = created,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = inputWords, OutputTokenCount = words.Length, TotalTokenCount = inputWords + words.Length })],
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null :
            serviceType == typeof(ChatClientMetadata) ? s_metadata :
            serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static (string Model, string Text, int InputWords) Answer(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var model = options?.ModelId ?? EchoModel;
        if (model is not EchoModel and not StoryModel)
        {
            throw new ProviderException("echo", ProviderErrorKind.NotFound, $"The echo provider has no model '{model}'. Use '{EchoModel}' or '{StoryModel}'.", 404, "model_not_found");
        }

        var list = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        var inputWords = list.Sum(m => CountWords(m.Text));
        if (model == StoryModel)
        {
            return (model, Story, inputWords);
        }

        var lastUser = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text;
        return (model, string.IsNullOrEmpty(lastUser) ? "(nothing to echo)" : lastUser, inputWords);
    }

    private static int CountWords(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
}
