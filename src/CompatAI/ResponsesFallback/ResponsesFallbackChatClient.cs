using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompatAI;

/// <summary>
/// Responses API fallback: when <c>/chat/completions</c> answers 404 (before any update) for a model whose profile does
/// not rule the Responses API out (<see cref="ProviderQuirks.SupportsResponsesApi"/>), the same request goes to
/// <c>/responses</c> through Microsoft.Extensions.AI.OpenAI's Responses client, which maps text, tool calls, usage and
/// streaming back. Once <c>/responses</c> has answered, the decision is remembered per endpoint and model; when it fails
/// too, the original 404 is thrown.
/// </summary>
public sealed partial class ResponsesFallbackChatClient : DelegatingChatClient
{
    private readonly ProviderProfile? _profile;
    private readonly Lazy<IChatClient> _responses;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string? Endpoint, string? Model), bool> _useResponses = new();

    /// <summary>Creates the fallback.</summary>
    /// <param name="innerClient">The Chat Completions client.</param>
    /// <param name="responsesClient">Creates the Responses API client for the same endpoint, key and model (called once, when first needed).</param>
    /// <param name="profile">The provider's profile; <see langword="null"/> allows the fallback for every model.</param>
    /// <param name="logger">Logs fallback decisions; none when <see langword="null"/>.</param>
    public ResponsesFallbackChatClient(IChatClient innerClient, Func<IChatClient> responsesClient, ProviderProfile? profile = null, ILogger<ResponsesFallbackChatClient>? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(responsesClient);
        _responses = new Lazy<IChatClient>(responsesClient);
        _profile = profile;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Returns whether requests for <paramref name="modelId"/> go to <c>/responses</c> (a remembered decision).</summary>
    /// <param name="modelId">The model; <see langword="null"/> for the client's default.</param>
    /// <returns><see langword="true"/> once <c>/responses</c> answered after a 404 from <c>/chat/completions</c>.</returns>
    public bool UsesResponses(string? modelId = null) => _useResponses.ContainsKey(Key(modelId));

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        if (UsesResponses(options?.ModelId))
        {
            return await _responses.Value.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException ex) when (Allowed(ex, options))
        {
            ChatResponse response;
            try
            {
                response = await _responses.Value.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception responsesError) when (responsesError is not OperationCanceledException)
            {
                LogResponsesFailed(_logger, ex.ProviderName, responsesError);
                ExceptionDispatchInfo.Throw(ex);
                throw;
            }

            Remember(ex, options);
            return response;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A streaming request that goes to <c>/responses</c> is answered by a non-streaming Responses call delivered as
    /// updates: Microsoft.Extensions.AI.OpenAI 10.11.0 is built against OpenAI 2.14, whose Responses streaming method
    /// OpenAI 2.15 no longer has (a <see cref="MissingMethodException"/>), while non-streaming calls work.
    /// </remarks>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        if (UsesResponses(options?.ModelId))
        {
            foreach (var update in (await _responses.Value.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false)).ToChatResponseUpdates())
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
            catch (ProviderException ex) when (Allowed(ex, options))
            {
                hasFirst = false;
                try
                {
                    fallback = (await _responses.Value.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false)).ToChatResponseUpdates();
                }
                catch (Exception responsesError) when (responsesError is not OperationCanceledException)
                {
                    LogResponsesFailed(_logger, ex.ProviderName, responsesError);
                    ExceptionDispatchInfo.Throw(ex);
                    throw;
                }

                Remember(ex, options);
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

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _responses.IsValueCreated)
        {
            _responses.Value.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool Allowed(ProviderException ex, ChatOptions? options) =>
        ex.StatusCode == 404 && _profile?.GetQuirks(ModelOf(options?.ModelId)).SupportsResponsesApi != false;

    private void Remember(ProviderException ex, ChatOptions? options)
    {
        _useResponses[Key(options?.ModelId)] = true;
        LogFallback(_logger, ex.ProviderName, ModelOf(options?.ModelId));
    }

    private string? ModelOf(string? modelId) => modelId ?? (GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId;

    private (string?, string?) Key(string? modelId) =>
        ((GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.ProviderUri?.AbsoluteUri, ModelOf(modelId));

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider '{Provider}' answered 404 on /chat/completions for model '{Model}' and /responses answered; requests for it now use the Responses API.")]
    private static partial void LogFallback(ILogger logger, string provider, string? model);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Provider '{Provider}': /chat/completions answered 404 and the /responses fallback failed too; the 404 is reported.")]
    private static partial void LogResponsesFailed(ILogger logger, string provider, Exception exception);
}
