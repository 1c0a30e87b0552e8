using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI;

/// <summary>
/// CompatAI's client for one OpenAI-compatible Chat Completions provider: Microsoft.Extensions.AI.OpenAI's
/// <c>AsIChatClient()</c> over an OpenAI SDK <see cref="ChatClient"/> configured from the provider's profile (endpoint,
/// auth style, headers, retry, HTTP/1.1 and the wire repairs of <c>UseCompatWireRepairs</c>), plus what the upstream
/// mapping does not do for third-party providers.
/// </summary>
/// <remarks>
/// <para>On the way out: <see cref="ChatOptions.AdditionalProperties"/> entries are sent as extra body fields (wire
/// names), <see cref="ChatOptions.TopK"/> as <c>top_k</c>, tool and response-format schemas exactly as given (not
/// rewritten into strict form), no <c>tool_choice</c> unless <see cref="ChatOptions.ToolMode"/> is set; a tool result
/// holding only an exception is sent as its message, a call with null arguments as <c>{}</c>; roles and content that Chat
/// Completions cannot carry are an <see cref="ArgumentException"/> instead of being dropped.
/// <see cref="ChatOptions.RawRepresentationFactory"/> may return a <see cref="ChatCompletionOptions"/> to start from.</para>
/// <para>On the way back: <see cref="ChatClientMetadata"/> names the real provider; a body or chunk that is not JSON is a
/// <see cref="ProviderException"/>; tool calls get an id when the provider sends none (Gemini sends <c>""</c>), empty
/// arguments mean <c>{}</c>, a streamed call with a blank name is kept, the update that completes streamed tool calls
/// has a finish reason, and a streamed refusal arrives as <see cref="ErrorContent"/> with the code <c>Refusal</c>. A
/// provider that rejects <c>stream: true</c> (a 400 naming <c>stream</c>) is asked again without streaming and the
/// answer delivered as updates; the model is remembered, so later streams of it go without streaming at once.
/// <see cref="ChatResponse.RawRepresentation"/> is the SDK's <see cref="ChatCompletion"/> (each update's a
/// <see cref="StreamingChatCompletionUpdate"/>), whose <c>Patch</c> holds every extra field the provider sent.</para>
/// </remarks>
public sealed partial class OpenAICompatibleChatClient : DelegatingChatClient
{
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates the client for the provider's Responses API, for the fallback when Chat Completions is not served.</summary>
    private readonly Lazy<IChatClient> _responses;

    /// <summary>The models whose <c>/chat/completions</c> answered 404 and whose <c>/responses</c> answered: asked there from then on.</summary>
    private readonly ConcurrentDictionary<string, bool> _viaResponses = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the profile marks any model as served only through <c>/responses</c> (<see cref="ProviderQuirks.ResponsesApiOnly"/>);
    /// for the other profiles no request pays for resolving the model's quirks to find out.
    /// </summary>
    private readonly bool _hasResponsesOnlyModels;

    /// <summary>The models this endpoint refused to stream (<c>stream: true</c> rejected): asked without streaming from then on.</summary>
    private readonly ConcurrentDictionary<string, bool> _notStreaming = new(StringComparer.Ordinal);

    /// <summary>Creates a client for the provider named in <paramref name="options"/>.</summary>
    /// <param name="options">The provider, and optionally endpoint, key, model, headers, timeout and retry settings.</param>
    /// <exception cref="ArgumentException">The provider is unknown or retired, no endpoint or model can be determined, or a required API key is missing.</exception>
    public OpenAICompatibleChatClient(CompatChatClientOptions options)
        : this(Configure(options))
    {
    }

    private OpenAICompatibleChatClient(Configured configured)
        : base(new LargeTextOffloadingChatClient(configured.ChatClient.AsIChatClient()))
    {
        Profile = configured.Profile;
        Model = configured.Model;
        Endpoint = configured.Endpoint;
        _metadata = new ChatClientMetadata(Profile.Name, Endpoint, Model);
        _responses = new Lazy<IChatClient>(configured.CreateResponsesClient);
        _hasResponsesOnlyModels = Profile.Quirks.ResponsesApiOnly == true || Profile.ModelRules.Any(static r => r.Quirks.ResponsesApiOnly == true);
    }

    /// <summary>Gets the profile of the provider this client talks to.</summary>
    public ProviderProfile Profile { get; }

    /// <summary>Gets the base URL requests go to (<c>/chat/completions</c> is appended).</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the default model id.</summary>
    public string Model { get; }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prepared = Prepare(messages);
        var model = options?.ModelId ?? Model;
        if (ViaResponses(model))
        {
            return await _responses.Value.GetResponseAsync(ForResponses(prepared, model), options, cancellationToken).ConfigureAwait(false);
        }

        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(prepared, ChatRequestMapper.PrepareOptions(options), cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            // The transport's fast path does not tokenize clean-looking bodies; the SDK's parser is the JSON check.
            throw NotJson(streaming: false, outputStarted: false, ex);
        }
        catch (ProviderException ex) when (MayUseResponses(ex, model) && !PrefixMessages.HasPrefix(prepared))
        {
            var fallback = await _responses.Value.GetResponseAsync(prepared, options, cancellationToken).ConfigureAwait(false);
            RememberResponses(model);
            return fallback;
        }

        if (response.RawRepresentation is ChatCompletion { ToolCalls.Count: > 0 } completion)
        {
            foreach (var message in response.Messages)
            {
                RepairCalls(message.Contents, completion.ToolCalls);
            }
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prepared = Prepare(messages);
        var model = options?.ModelId ?? Model;
        if (ViaResponses(model))
        {
            await foreach (var update in _responses.Value.GetStreamingResponseAsync(ForResponses(prepared, model), options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        if (!_notStreaming.IsEmpty && _notStreaming.ContainsKey(model))
        {
            foreach (var update in await GetResponseAsNotStreamedAsync(prepared, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var calls = default(StreamedCalls);
        var streamingRejected = false;
        var chatCompletionsNotServed = false;

        // Enumerated by hand so that the SDK's JsonException on a chunk that is not JSON (which the transport's fast path
        // does not tokenize) can be caught: C# cannot yield inside a try with a catch clause.
        var updates = base.GetStreamingResponseAsync(prepared, ChatRequestMapper.PrepareOptions(options), cancellationToken).GetAsyncEnumerator(cancellationToken);
        var outputStarted = false;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = updates.Current;
                }
                catch (JsonException ex)
                {
                    throw NotJson(streaming: true, outputStarted, ex);
                }
                catch (ProviderException ex) when (!outputStarted && RejectsStreaming(ex))
                {
                    streamingRejected = true;
                    break;
                }
                catch (ProviderException ex) when (!outputStarted && MayUseResponses(ex, model) && !PrefixMessages.HasPrefix(prepared))
                {
                    chatCompletionsNotServed = true;
                    break;
                }

                outputStarted = true;
                if (update.RawRepresentation is StreamingChatCompletionUpdate raw)
                {
                    if (!string.IsNullOrEmpty(raw.RefusalUpdate))
                    {
                        update.Contents.Add(new ErrorContent(raw.RefusalUpdate) { ErrorCode = "Refusal" });
                    }

                    var toolCallUpdates = raw.ToolCallUpdates;
                    for (var i = 0; i < toolCallUpdates.Count; i++)
                    {
                        (calls ??= new StreamedCalls()).Add(toolCallUpdates[i]);
                    }
                }
                else if (calls is not null)
                {
                    // The upstream's closing update that carries the completed calls.
                    calls.Repair(update);
                    calls = null;
                }

                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }

        if (chatCompletionsNotServed)
        {
            var any = false;
            await foreach (var update in _responses.Value.GetStreamingResponseAsync(prepared, options, cancellationToken).ConfigureAwait(false))
            {
                if (!any)
                {
                    any = true;
                    RememberResponses(model);
                }

                yield return update;
            }

            yield break;
        }

        if (streamingRejected)
        {
            // The provider refused stream: true: ask once more without it, deliver the answer as updates, and remember.
            _notStreaming[model] = true;
            CompatTelemetry.StreamingFallback(Profile.Name, model);
            foreach (var update in await GetResponseAsNotStreamedAsync(prepared, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
    }

    private async Task<ChatResponseUpdate[]> GetResponseAsNotStreamedAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        (await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false)).ToChatResponseUpdates();

    /// <summary>
    /// Whether a failure means the provider does not serve <c>/chat/completions</c> (a 404 that is not about the model)
    /// and its profile lets the request go to <c>/responses</c> instead.
    /// </summary>
    /// <summary>The caller's messages as Chat Completions gets them: checked, prefix messages encoded, profile-allowed message fields set.</summary>
    private IEnumerable<AIChatMessage> Prepare(IEnumerable<AIChatMessage> messages) =>
        MessageFields.Prepare(PrefixMessages.Prepare(ChatRequestMapper.PrepareMessages(messages), Profile), Profile);

    /// <summary>
    /// Returns <paramref name="prepared"/> for the Responses API, which has no prefix completion: a conversation ending in a
    /// prefix message fails here, before any request, instead of losing its prefix. (A prefix request whose Chat Completions
    /// call answers 404 keeps that error rather than falling back.)
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2208:Instantiate argument exceptions correctly", Justification = "The prefix came in through the public method's 'messages' parameter; naming it tells the caller what to fix.")]
    private IEnumerable<AIChatMessage> ForResponses(IEnumerable<AIChatMessage> prepared, string model) =>
        PrefixMessages.HasPrefix(prepared)
            ? throw new ArgumentException($"The last message is a prefix message, but model '{model}' of provider '{Profile.Name}' is served only through the Responses API here (its profile says so, or its /chat/completions answered 404), and the Responses API has no prefix completion.", "messages")
            : prepared;

    /// <summary>Whether <paramref name="model"/> is served through <c>/responses</c>: its profile says so, or its <c>/chat/completions</c> answered 404 before.</summary>
    private bool ViaResponses(string model) =>
        (!_viaResponses.IsEmpty && _viaResponses.ContainsKey(model)) || (_hasResponsesOnlyModels && Profile.GetQuirks(model).ResponsesApiOnly == true);

    private bool MayUseResponses(ProviderException ex, string model) =>
        ex.StatusCode == 404 && ex.ErrorCode != "model_not_found" && Profile.GetQuirks(model).SupportsResponsesApi != false;

    private void RememberResponses(string model)
    {
        if (_viaResponses.TryAdd(model, true))
        {
            CompatTelemetry.ResponsesFallback(Profile.Name, model);
        }
    }

    /// <summary>Whether the provider refused the request because it asked for streaming (a 400 naming <c>stream</c>, not <c>stream_options</c>).</summary>
    private static bool RejectsStreaming(ProviderException ex) =>
        ex.Kind == ProviderErrorKind.InvalidRequest && StreamParameter().IsMatch(ex.Message);

    [System.Text.RegularExpressions.GeneratedRegex(@"\bstream(?:ing)?\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex StreamParameter();

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            if (serviceType == typeof(ChatClientMetadata))
            {
                return _metadata;
            }

            if (serviceType == typeof(ProviderProfile))
            {
                return Profile;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>Gives calls without an id one, and turns calls whose arguments were empty into calls with no arguments.</summary>
    private static void RepairCalls(IList<AIContent> contents, IReadOnlyList<ChatToolCall> rawCalls)
    {
        var position = 0;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not FunctionCallContent call)
            {
                continue;
            }

            var raw = position < rawCalls.Count ? rawCalls[position] : null;
            var emptyArguments = call.Exception is not null && raw is not null && (raw.FunctionArguments is not { } arguments || IsBlank(arguments.ToMemory().Span));
            contents[i] = RepairCall(call, position++, emptyArguments) ?? call;
        }
    }

    /// <summary>Returns a repaired copy of <paramref name="call"/>, or <see langword="null"/> when it needs no repair.</summary>
    private static FunctionCallContent? RepairCall(FunctionCallContent call, int position, bool emptyArguments)
    {
        if (!string.IsNullOrEmpty(call.CallId) && !emptyArguments)
        {
            return null;
        }

        return new FunctionCallContent(
            string.IsNullOrEmpty(call.CallId) ? SynthesizeCallId(position) : call.CallId,
            call.Name,
            emptyArguments ? new Dictionary<string, object?>(StringComparer.Ordinal) : call.Arguments)
        {
            Exception = emptyArguments ? null : call.Exception,
            AdditionalProperties = call.AdditionalProperties,
            RawRepresentation = call.RawRepresentation,
        };
    }

    private static bool IsBlank(ReadOnlySpan<byte> arguments) => arguments.Trim(" \t\r\n"u8).IsEmpty;

    private static string SynthesizeCallId(int position) =>
        $"call_{Guid.NewGuid():N}"[..29] + position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The provider's response (or a stream chunk) failed the OpenAI SDK's JSON parser.</summary>
    private ProviderException NotJson(bool streaming, bool outputStarted, JsonException ex) => new(
        Profile.Name,
        outputStarted ? ProviderErrorKind.StreamInterrupted : ProviderErrorKind.ServerError,
        streaming
            ? $"{Profile.Name}: the stream carried data that is not valid JSON{(outputStarted ? " after output had started" : string.Empty)}: {ex.Message}"
            : $"{Profile.Name}: the response is not valid JSON: {ex.Message}",
        innerException: ex)
    {
        OutputStarted = outputStarted,
    };

    private static Configured Configure(CompatChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = ProviderConnection.Open(
            nameof(CompatChatClientOptions), options.Provider, options.Catalog, options.Endpoint, options.ApiKey, options.Headers, options.Timeout, options.Retry, options.HttpClient, options.TokenProvider);
        var profile = connection.Profile;
        var model = options.Model ?? profile.DefaultModel
            ?? throw new ArgumentException($"Provider '{profile.Name}' has no default model: set CompatChatClientOptions.Model.", nameof(options));

        IChatClient CreateResponsesClient()
        {
            // Another API of the same provider: the same transport, failures classified, no Chat Completions repairs.
            var responsesOptions = CompatWireRepairsOpenAIClientOptionsExtensions.Apply(
                new OpenAIClientOptions { Endpoint = connection.Endpoint, NetworkTimeout = options.Timeout ?? TimeSpan.FromSeconds(100) },
                profile,
                options.Retry,
                options.Headers,
                options.HttpClient,
                chatCompletions: false);
            return new OpenAIClient(connection.Authentication, responsesOptions).GetResponsesClient().AsIChatClient(model);
        }

        return new Configured(profile, model, connection.Endpoint, new ChatClient(model, connection.Authentication, connection.ClientOptions), CreateResponsesClient);
    }

    private sealed record Configured(ProviderProfile Profile, string Model, Uri Endpoint, ChatClient ChatClient, Func<IChatClient> CreateResponsesClient);

    /// <summary>What the raw stream said about each tool call, to repair the upstream's completed calls.</summary>
    private sealed class StreamedCalls
    {
        private readonly SortedDictionary<int, (string? Id, string? Name, bool HasArguments)> _calls = [];

        public void Add(StreamingChatToolCallUpdate update)
        {
            _calls.TryGetValue(update.Index, out var entry);
            if (string.IsNullOrEmpty(entry.Id) && !string.IsNullOrEmpty(update.ToolCallId))
            {
                entry.Id = update.ToolCallId;
            }

            if (string.IsNullOrEmpty(entry.Name) && !string.IsNullOrEmpty(update.FunctionName))
            {
                entry.Name = update.FunctionName;
            }

            entry.HasArguments |= update.FunctionArgumentsUpdate is { } fragment && !IsBlank(fragment.ToMemory().Span);
            _calls[update.Index] = entry;
        }

        /// <summary>
        /// Repairs the update holding the completed calls: the upstream drops calls with a blank name, keeps an empty id,
        /// makes empty arguments an exception, and leaves the finish reason null when the stream sent none.
        /// </summary>
        public void Repair(ChatResponseUpdate update)
        {
            var upstream = new Queue<FunctionCallContent>(update.Contents.OfType<FunctionCallContent>());
            if (upstream.Count == 0 && _calls.Count == 0)
            {
                return;
            }

            var repaired = new List<AIContent>(update.Contents.Count + 1);
            foreach (var content in update.Contents)
            {
                if (content is not FunctionCallContent)
                {
                    repaired.Add(content);
                }
            }

            var position = 0;
            foreach (var (_, call) in _calls)
            {
                FunctionCallContent content;
                if (string.IsNullOrWhiteSpace(call.Name))
                {
                    // Kept, so the caller (or FunctionInvokingChatClient) can answer it instead of it vanishing.
                    content = new FunctionCallContent(string.IsNullOrEmpty(call.Id) ? SynthesizeCallId(position) : call.Id, call.Name ?? string.Empty, new Dictionary<string, object?>(StringComparer.Ordinal));
                }
                else if (upstream.TryDequeue(out var parsed))
                {
                    content = RepairCall(parsed, position, emptyArguments: !call.HasArguments && parsed.Exception is not null) ?? parsed;
                }
                else
                {
                    continue;
                }

                repaired.Add(content);
                position++;
            }

            update.Contents = repaired;
            update.FinishReason ??= Microsoft.Extensions.AI.ChatFinishReason.ToolCalls;
        }
    }
}
