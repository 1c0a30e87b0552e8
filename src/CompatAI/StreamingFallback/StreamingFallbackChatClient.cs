using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompatAI;

/// <summary>
/// Streaming to non-streaming fallback: when a provider rejects <c>stream: true</c> (a 4xx whose error names
/// <c>stream</c>, before any update arrived), the request is sent once more without streaming and the answer is
/// delivered as updates. The decision is remembered per endpoint and model, so later streaming calls go straight to the
/// non-streaming request; models whose profile says <see cref="ProviderQuirks.SupportsStreaming"/> is false never try.
/// </summary>
public sealed partial class StreamingFallbackChatClient : DelegatingChatClient
{
    private readonly ProviderProfile? _profile;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string? Endpoint, string? Model), bool> _nonStreaming = new();

    /// <summary>Creates the fallback around <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The provider client.</param>
    /// <param name="profile">The provider's profile; <see langword="null"/> to rely on the remembered decisions only.</param>
    /// <param name="logger">Logs each fallback decision; none when <see langword="null"/>.</param>
    public StreamingFallbackChatClient(IChatClient innerClient, ProviderProfile? profile = null, ILogger<StreamingFallbackChatClient>? logger = null)
        : base(innerClient)
    {
        _profile = profile;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Returns whether streaming calls for <paramref name="modelId"/> are served without streaming.</summary>
    /// <param name="modelId">The model id; <see langword="null"/> for the client's default model.</param>
    /// <returns><see langword="true"/> when the profile says the model cannot stream or a rejection was remembered.</returns>
    public bool IsNonStreaming(string? modelId = null)
    {
        var metadata = GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        var model = modelId ?? metadata?.DefaultModelId;
        return _profile?.GetQuirks(model).SupportsStreaming == false || _nonStreaming.ContainsKey(Key(metadata, model));
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        if (IsNonStreaming(options?.ModelId))
        {
            foreach (var update in await NonStreamingAsync(list, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var enumerator = base.GetStreamingResponseAsync(list, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        ChatResponseUpdate[]? fallback = null;
        try
        {
            bool hasFirst;
            try
            {
                hasFirst = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
            catch (ProviderException ex) when (RejectsStreaming(ex))
            {
                var metadata = GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
                var model = options?.ModelId ?? metadata?.DefaultModelId;
                _nonStreaming[Key(metadata, model)] = true;
                LogFallback(_logger, ex.ProviderName, model, ex.StatusCode);
                hasFirst = false;
                fallback = await NonStreamingAsync(list, options, cancellationToken).ConfigureAwait(false);
            }

            if (fallback is null && hasFirst)
            {
                yield return enumerator.Current;
                while (await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield return enumerator.Current;
                }
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var update in fallback ?? [])
        {
            yield return update;
        }
    }

    private async Task<ChatResponseUpdate[]> NonStreamingAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        return response.ToChatResponseUpdates();
    }

    /// <summary>A 4xx (or 501) before the first update whose error names <c>stream</c>.</summary>
    private static bool RejectsStreaming(ProviderException ex) =>
        ex.StatusCode is (>= 400 and < 500 and not 401 and not 403 and not 429) or 501
        && ((ex.Message?.Contains("stream", StringComparison.OrdinalIgnoreCase) ?? false)
            || (ex.ResponseBody?.Contains("stream", StringComparison.OrdinalIgnoreCase) ?? false));

    private static (string?, string?) Key(ChatClientMetadata? metadata, string? model) => (metadata?.ProviderUri?.AbsoluteUri, model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider '{Provider}' rejected streaming for model '{Model}' (HTTP {StatusCode}); streaming calls for it are now sent without streaming.")]
    private static partial void LogFallback(ILogger logger, string provider, string? model, int? statusCode);
}
