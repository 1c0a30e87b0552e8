using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// A pre-flight check: counts the prompt with <see cref="TokenCounter"/> (only when its UTF-8 size does not already show
/// that it fits: a token covers at least one byte) and, when the prompt plus
/// <see cref="ChatOptions.MaxOutputTokens"/> is larger than the model's context window recorded in the provider's
/// profile, fails with a <see cref="ProviderException"/> of kind <see cref="ProviderErrorKind.ContextLengthExceeded"/>
/// before any network call. Models without a recorded window pass through unchecked.
/// </summary>
/// <remarks>
/// For models outside the OpenAI families the count is an estimate (<see cref="TokenCount.IsEstimate"/>): their real
/// tokenizers differ, so a prompt near the window may still be refused by the provider or pass where this check would
/// not. The check is on the model id of the request (<see cref="ChatOptions.ModelId"/>) or the client's default.
/// </remarks>
public sealed class ContextWindowCheckingChatClient : DelegatingChatClient
{
    private readonly ProviderProfile _profile;
    private readonly string? _defaultModel;

    /// <summary>Wraps <paramref name="innerClient"/>, which must report its <see cref="ProviderProfile"/> (CompatAI clients do).</summary>
    /// <param name="innerClient">The client to protect.</param>
    /// <exception cref="InvalidOperationException">The inner client reports no <see cref="ProviderProfile"/>.</exception>
    public ContextWindowCheckingChatClient(IChatClient innerClient)
        : base(innerClient)
    {
        _profile = innerClient.GetService<ProviderProfile>()
            ?? throw new InvalidOperationException($"The context-window check needs the inner client ({innerClient.GetType().Name}) to report its ProviderProfile; put it over a CompatAI client.");
        _defaultModel = innerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
    }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        Check(list, options);
        return base.GetResponseAsync(list, options, cancellationToken);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        Check(list, options);
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private void Check(IList<ChatMessage> messages, ChatOptions? options)
    {
        var model = options?.ModelId ?? _defaultModel;
        if (model is null || _profile.GetContextWindow(model) is not { } window)
        {
            return;
        }

        // Most prompts are far below the window: their UTF-8 size, which the count never exceeds, already shows that
        // they fit, and the tokenizer is not run at all.
        var output = (long)(options?.MaxOutputTokens ?? 0);
        var size = new PromptSize(TokenCounter.ForModel(model), messages, options);
        if (!size.Fits(window, output))
        {
            var count = size.GetCount();
            throw new ProviderException(
                _profile.Name,
                ProviderErrorKind.ContextLengthExceeded,
                $"{_profile.Name}: the prompt has {(count.IsEstimate ? "about " : string.Empty)}{count.Tokens} tokens"
                + (options?.MaxOutputTokens is { } max ? $" and asks for up to {max} more" : string.Empty)
                + $", more than the {window}-token context window of {model}; it was not sent.");
        }
    }
}
