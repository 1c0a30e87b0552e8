using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CompatAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;

namespace CompatAI;

/// <summary>
/// Shapes each request to what the provider accepts, from its profile, before anything leaves the process: drops or
/// renames parameters it rejects (<c>n</c>, <c>logit_bias</c>, <c>logprobs</c>, penalties, <c>seed</c> to
/// <c>random_seed</c>, <c>max_tokens</c> versus <c>max_completion_tokens</c>, sampling parameters of reasoning models,
/// <c>stream_options</c>, message <c>name</c>), caps stop sequences, maps <c>tool_choice</c> values and emulates a named
/// choice, maps the developer role, writes tool-call-only content as <c>null</c> or <c>""</c>, remaps tool-call ids to
/// the provider's form (and back), and downgrades a JSON-schema response format to JSON mode with the schema in the prompt.
/// </summary>
/// <remarks>
/// The caller's <see cref="ChatOptions"/> is never modified: a clone goes down with dropped and renamed values cleared,
/// and its <see cref="ChatOptions.RawRepresentationFactory"/> wraps the caller's so that renamed parameters and extra
/// body fields (<see cref="ChatOptions.AdditionalProperties"/>) are written into the SDK's <see cref="ChatCompletionOptions"/>
/// through its <c>Patch</c>, and rejected fields removed from it. The request is therefore the same over CompatAI's
/// pipeline and over Microsoft.Extensions.AI.OpenAI's <c>AsIChatClient()</c>, which ignores <c>AdditionalProperties</c>.
/// Each change is logged once per provider at debug level, added as an event to the current <see cref="Activity"/>,
/// counted on the <c>compatai.sanitizer.changes</c> counter of the <c>CompatAI</c> meter, and listed in the response's
/// <c>AdditionalProperties</c> under <see cref="ChangesKey"/>.
/// </remarks>
public sealed partial class ParameterSanitizingChatClient : DelegatingChatClient
{
    /// <summary>The <c>AdditionalProperties</c> key under which the response lists the changes made to the request (a <see cref="IReadOnlyList{T}"/> of <see cref="SanitizerChange"/>).</summary>
    public const string ChangesKey = "compatai.sanitizer.changes";

    private const string StrictKey = "strict";
    private static readonly ChatRole s_developer = new("developer");
    private static readonly HashSet<string> s_noParameters = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, string> s_noRenames = new(StringComparer.Ordinal);
    private readonly ParameterSanitizingOptions _options;
    private readonly QuirkResolver _quirks;
    private readonly ILogger _logger;
    private readonly ToolCallIdMapper _ids = new();
    private readonly ConcurrentDictionary<string, bool> _logged = new(StringComparer.Ordinal);

    /// <summary>Creates the client.</summary>
    /// <param name="innerClient">The client to wrap; its <see cref="ProviderProfile"/> (from <c>GetService</c>) supplies the rules.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Where changes are logged; none when <see langword="null"/>.</param>
    public ParameterSanitizingChatClient(IChatClient innerClient, ParameterSanitizingOptions? options = null, ILogger? logger = null)
        : this(innerClient, (ProviderProfile?)null, options, logger)
    {
    }

    /// <summary>Creates the client for a provider profile.</summary>
    /// <param name="innerClient">The client to wrap.</param>
    /// <param name="profile">The provider whose rules apply; when <see langword="null"/>, the profile the inner client reports through <c>GetService(typeof(ProviderProfile))</c>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Where changes are logged; none when <see langword="null"/>.</param>
    public ParameterSanitizingChatClient(IChatClient innerClient, ProviderProfile? profile, ParameterSanitizingOptions? options = null, ILogger? logger = null)
        : base(innerClient)
    {
        _options = options ?? new ParameterSanitizingOptions();
        _quirks = new QuirkResolver(innerClient, explicitProfile: profile);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ProviderProfile) && _quirks.Profile is { } profile ? profile : base.GetService(serviceType, serviceKey);

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (_options.Mode == ParameterSanitizerMode.Passthrough)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var request = Sanitize(messages, options);
        var response = await base.GetResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false);
        if (request.RemappedIds)
        {
            foreach (var message in response.Messages)
            {
                RestoreIds(message.Contents);
            }
        }

        if (request.Changes.Count > 0)
        {
            (response.AdditionalProperties ??= [])[ChangesKey] = request.Changes;
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_options.Mode == ParameterSanitizerMode.Passthrough)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var request = Sanitize(messages, options);
        bool first = true;
        await foreach (var update in base.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false))
        {
            if (request.RemappedIds)
            {
                RestoreIds(update.Contents);
            }

            if (first && request.Changes.Count > 0)
            {
                (update.AdditionalProperties ??= [])[ChangesKey] = request.Changes;
            }

            first = false;
            yield return update;
        }
    }

    /// <summary>Applies the provider's rules to a request; exposed for tests and benchmarks.</summary>
    internal SanitizedRequest Sanitize(IEnumerable<AIChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var quirks = _quirks.QuirksFor(options).Merge(_options.QuirksOverride);
        var context = new Context(this, _quirks.ProviderName, _quirks.ModelFor(options), quirks);
        var shapedMessages = SanitizeMessages(messages, context);
        ChatOptions? shapedOptions = options;
        if (options is not null || quirks.UnsupportedParameters is { Count: > 0 })
        {
            // Even without options, fields the SDK adds itself (stream_options) may have to come off the body.
            var source = options ?? new ChatOptions();
            var result = SanitizeOptions(source, context);
            shapedOptions = options is null && ReferenceEquals(result, source) ? null : result;
        }
        if (context.NeedsRawOptions)
        {
            shapedOptions ??= new ChatOptions();
            var callerFactory = shapedOptions.RawRepresentationFactory;
            var rawEdits = context.RawEdits;
            var fields = context.Fields;
            string? modelId = shapedOptions.ModelId;
            int? topK = shapedOptions.TopK;
            shapedOptions.RawRepresentationFactory = client =>
            {
                var raw = callerFactory?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
                foreach (var edit in rawEdits)
                {
                    edit(raw);
                }

                if (fields is not null)
                {
                    // The patch writes fields in the order they were added. model and top_k (values every inner client
                    // writes the same way) go first so that the body keeps the order it has always had: model, top_k,
                    // then the extra fields.
                    if (modelId is { Length: > 0 } && !raw.Patch.Contains("$.model"u8))
                    {
                        raw.Patch.Set("$.model"u8, modelId);
                    }

                    if (topK is { } k && !raw.Patch.Contains("$.top_k"u8))
                    {
                        raw.Patch.Set("$.top_k"u8, k);
                    }

                    foreach (var (path, json) in fields)
                    {
                        if (json is null)
                        {
                            raw.Patch.SetNull(path);
                        }
                        else
                        {
                            raw.Patch.Set(path, json);
                        }
                    }
                }

                return raw;
            };
        }

        foreach (var change in context.Changes)
        {
            Report(context.Provider, change);
        }

        return new SanitizedRequest(shapedMessages, shapedOptions, context.Changes, context.RemappedIds);
    }

    private IEnumerable<AIChatMessage> SanitizeMessages(IEnumerable<AIChatMessage> messages, Context context)
    {
        var quirks = context.Quirks;
        bool mapDeveloper = quirks.DeveloperRole == DeveloperRoleSupport.MapToSystem;
        bool dropNames = quirks.SupportsMessageName == false;
        bool remapIds = quirks.ToolCallIdFormat == CompatAI.ToolCallIdFormat.Alphanumeric9;
        var contentStyle = quirks.ToolCallContent ?? ToolCallContentStyle.Null;
        if (!mapDeveloper && !dropNames && !remapIds && contentStyle == ToolCallContentStyle.Null)
        {
            return messages;
        }

        var result = new List<AIChatMessage>();
        int index = 0;
        foreach (var original in messages)
        {
            var message = original;
            if (mapDeveloper && message.Role == s_developer)
            {
                message = message.Clone();
                message.Role = ChatRole.System;
                context.Change($"messages[{index}].role", "developer mapped to system", lossy: false);
            }

            if (dropNames && !string.IsNullOrEmpty(message.AuthorName))
            {
                message = ReferenceEquals(message, original) ? message.Clone() : message;
                message.AuthorName = null;
                context.Change($"messages[{index}].name", "dropped", lossy: true);
            }

            if (remapIds && HasIdsToRemap(message))
            {
                message = ReferenceEquals(message, original) ? message.Clone() : message;
                message.Contents = [.. message.Contents.Select(c => RemapId(c))];
                message.RawRepresentation = null;
                context.RemappedIds = true;
                context.Change($"messages[{index}].tool_call_id", "remapped to 9 alphanumeric characters", lossy: false);
            }

            if (contentStyle != ToolCallContentStyle.Null && message.Role == ChatRole.Assistant
                && message.Contents.Any(static c => c is FunctionCallContent) && !message.Contents.Any(static c => c is TextContent { Text.Length: > 0 }))
            {
                var raw = AssistantMessages.ToRaw(message);
                if (contentStyle == ToolCallContentStyle.EmptyString)
                {
                    raw.Patch.Set("$.content"u8, BinaryData.FromString("\"\""));
                }
                else
                {
                    raw.Patch.Remove("$.content"u8);
                }

                message = AssistantMessages.WithRaw(message, raw);
                context.Change($"messages[{index}].content", contentStyle == ToolCallContentStyle.EmptyString ? "sent as \"\"" : "omitted", lossy: false);
            }

            result.Add(message);
            index++;
        }

        return result;
    }

    private static bool HasIdsToRemap(AIChatMessage message)
    {
        foreach (var content in message.Contents)
        {
            if ((content is FunctionCallContent call && !ToolCallIdMapper.Fits(call.CallId))
                || (content is FunctionResultContent result && !ToolCallIdMapper.Fits(result.CallId)))
            {
                return true;
            }
        }

        return false;
    }

    private AIContent RemapId(AIContent content) => content switch
    {
        FunctionCallContent call when !ToolCallIdMapper.Fits(call.CallId) => new FunctionCallContent(_ids.ToProvider(call.CallId), call.Name, call.Arguments)
        {
            AdditionalProperties = call.AdditionalProperties,
            Exception = call.Exception,
            RawRepresentation = call.RawRepresentation,
        },
        FunctionResultContent result when !ToolCallIdMapper.Fits(result.CallId) => new FunctionResultContent(_ids.ToProvider(result.CallId), result.Result)
        {
            AdditionalProperties = result.AdditionalProperties,
            Exception = result.Exception,
            RawRepresentation = result.RawRepresentation,
        },
        _ => content,
    };

    private void RestoreIds(IList<AIContent> contents)
    {
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionCallContent call && _ids.ToCaller(call.CallId) is var original && !ReferenceEquals(original, call.CallId))
            {
                contents[i] = new FunctionCallContent(original, call.Name, call.Arguments) { AdditionalProperties = call.AdditionalProperties, RawRepresentation = call.RawRepresentation };
            }
        }
    }

    private static ChatOptions SanitizeOptions(ChatOptions options, Context context)
    {
        var quirks = context.Quirks;
        // Cloned only when a rule changes something: most requests go through as they are.
        var shaped = new OptionsDraft(options);
        // Most profiles rename and drop nothing: share read-only empty collections instead of allocating them per request.
        var unsupported = quirks.UnsupportedParameters is { Count: > 0 } names ? new HashSet<string>(names, StringComparer.Ordinal) : s_noParameters;
        var renamed = quirks.RenamedParameters ?? s_noRenames;

        int changesBefore = context.Changes.Count;
        int editsBefore = context.RawEdits.Count + context.FieldCount;
        DropTyped(shaped, unsupported, renamed, context);
        ShapeMaxTokens(shaped, quirks, unsupported, context);
        ShapeTemperature(shaped, quirks, context);
        ShapeStops(shaped, quirks, context);
        ShapeTools(shaped, quirks, unsupported, context);
        ShapeResponseFormat(shaped, quirks, context);
        ShapeExtras(shaped, quirks, unsupported, renamed, context);

        // Nothing to change: the caller's own options go through (every change above is recorded).
        return context.Changes.Count == changesBefore && context.RawEdits.Count + context.FieldCount == editsBefore ? options : shaped.W;
    }

    private static void DropTyped(OptionsDraft o, HashSet<string> unsupported, IReadOnlyDictionary<string, string> renamed, Context context)
    {
        if (unsupported.Count == 0 && renamed.Count == 0)
        {
            // Nothing can be dropped or renamed: skip the per-parameter closures.
            return;
        }

        Apply("temperature", o.R.Temperature, () => o.W.Temperature = null);
        Apply("top_p", o.R.TopP, () => o.W.TopP = null);
        Apply("top_k", o.R.TopK, () => o.W.TopK = null);
        Apply("frequency_penalty", o.R.FrequencyPenalty, () => o.W.FrequencyPenalty = null);
        Apply("presence_penalty", o.R.PresencePenalty, () => o.W.PresencePenalty = null);
        Apply("seed", o.R.Seed, () => o.W.Seed = null);
        Apply("reasoning_effort", o.R.Reasoning, () => o.W.Reasoning = null);

        void Apply(string name, object? value, Action clear)
        {
            if (value is null)
            {
                return;
            }

            if (renamed.TryGetValue(name, out var newName))
            {
                // Cleared (and removed from the SDK request) so that no inner client sends the old name; the new name
                // joins the extra fields (the clone's own copy of them), which ShapeExtras writes into the SDK request.
                clear();
                context.RemoveField(name);
                (o.W.AdditionalProperties ??= [])[newName] = value;
                context.Change(name, "renamed to " + newName, lossy: false);
            }
            else if (unsupported.Contains(name))
            {
                clear();
                context.Change(name, "dropped", lossy: true);
            }
        }
    }

    private static void ShapeMaxTokens(OptionsDraft o, ProviderQuirks quirks, HashSet<string> unsupported, Context context)
    {
        if (o.R.MaxOutputTokens is not { } max)
        {
            return;
        }

        string field = quirks.MaxTokensParameter ?? "max_completion_tokens";
        if (unsupported.Contains(field) || unsupported.Contains("max_tokens") && unsupported.Contains("max_completion_tokens"))
        {
            o.W.MaxOutputTokens = null;
            context.Change(field, "dropped", lossy: true);
        }
        else if (field != "max_completion_tokens")
        {
            // The SDK writes MaxOutputTokenCount as max_completion_tokens: take it out of the clone (and of a raw
            // options object the caller's factory may have filled) and write the provider's name through the patch.
            o.W.MaxOutputTokens = null;
            context.RemoveField("max_completion_tokens");
            (o.W.AdditionalProperties ??= [])[field] = max;
            context.Change("max_completion_tokens", "renamed to " + field, lossy: false);
        }
    }

    private static void ShapeTemperature(OptionsDraft o, ProviderQuirks quirks, Context context)
    {
        if (o.R.Temperature is not { } temperature)
        {
            return;
        }

        if (quirks.MinTemperature is { } min && temperature < min)
        {
            o.W.Temperature = (float)min;
            context.Change("temperature", "raised to " + min.ToString(System.Globalization.CultureInfo.InvariantCulture), lossy: true);
        }
        else if (quirks.MaxTemperature is { } max && temperature > max)
        {
            o.W.Temperature = (float)max;
            context.Change("temperature", "lowered to " + max.ToString(System.Globalization.CultureInfo.InvariantCulture), lossy: true);
        }
    }

    private static void ShapeStops(OptionsDraft o, ProviderQuirks quirks, Context context)
    {
        if (o.R.StopSequences is not { Count: > 0 } stops)
        {
            return;
        }

        if (quirks.UnsupportedParameters?.Contains("stop", StringComparer.Ordinal) == true)
        {
            o.W.StopSequences = null;
            context.Change("stop", "dropped", lossy: true);
            return;
        }

        int limit = quirks.MaxStopSequences ?? 4;
        if (stops.Count > limit)
        {
            o.W.StopSequences = [.. stops.Take(limit)];
            context.Change("stop", $"capped at {limit} sequences", lossy: true);
        }
    }

    private static void ShapeTools(OptionsDraft o, ProviderQuirks quirks, HashSet<string> unsupported, Context context)
    {
        if (o.R.Tools is not { Count: > 0 })
        {
            return;
        }

        if (unsupported.Contains("tools"))
        {
            o.W.Tools = null;
            o.W.ToolMode = null;
            o.W.AllowMultipleToolCalls = null;
            context.Change("tools", "dropped", lossy: true);
            return;
        }

        if (o.R.AllowMultipleToolCalls is not null && unsupported.Contains("parallel_tool_calls"))
        {
            o.W.AllowMultipleToolCalls = null;
            context.Change("parallel_tool_calls", "dropped", lossy: true);
        }

        if (unsupported.Contains("tool_choice"))
        {
            // MEAI.OpenAI's client sends tool_choice "auto" whenever tools are sent and ToolMode is null, so clearing
            // ToolMode is not enough: the field is removed from the SDK request itself.
            context.RemoveField("tool_choice");
            if (o.R.ToolMode is not null)
            {
                o.W.ToolMode = null;
                context.Change("tool_choice", "dropped", lossy: true);
            }

            return;
        }

        if (o.R.ToolMode is null)
        {
            return;
        }

        var supported = quirks.SupportedToolChoiceValues;
        var values = quirks.ToolChoiceValues;
        if (o.R.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } name } && quirks.SupportsNamedToolChoice == false)
        {
            // Emulated: only the named tool is offered, and a call is required where the provider can require one.
            o.W.Tools = [.. o.R.Tools.Where(t => t.Name == name)];
            o.W.ToolMode = ChatToolMode.RequireAny;
            context.Change("tool_choice", $"named choice '{name}' emulated with only that tool and 'required'", lossy: true);
        }

        string? wire = o.R.ToolMode switch
        {
            NoneChatToolMode => "none",
            AutoChatToolMode => "auto",
            RequiredChatToolMode { RequiredFunctionName: null } => "required",
            _ => null,
        };
        if (wire is null)
        {
            return;
        }

        if (supported is not null && !supported.Contains(wire, StringComparer.Ordinal))
        {
            if (wire == "none")
            {
                o.W.Tools = null;
                context.Change("tool_choice", "'none' unsupported: tools not sent", lossy: false);
            }
            else
            {
                // Removed from the SDK request too: MEAI.OpenAI's client would otherwise send an implicit "auto".
                context.RemoveField("tool_choice");
                context.Change("tool_choice", $"'{wire}' unsupported: left to the provider's default", lossy: true);
            }

            o.W.ToolMode = null;
            return;
        }

        if (values is not null && values.TryGetValue(wire, out var spelled) && spelled != wire)
        {
            o.W.ToolMode = null;
            context.RawEdit(raw => raw.Patch.Set("$.tool_choice"u8, spelled));
            context.Change("tool_choice", $"'{wire}' sent as '{spelled}'", lossy: false);
        }
    }

    private static void ShapeResponseFormat(OptionsDraft o, ProviderQuirks quirks, Context context)
    {
        if (o.R.ResponseFormat is not ChatResponseFormatJson json)
        {
            return;
        }

        bool hasTools = o.R.Tools is { Count: > 0 };
        bool jsonMode = quirks.SupportsJsonMode != false && !(hasTools && quirks.SupportsJsonModeWithTools == false);
        if (json.Schema is { } schema && quirks.SupportsJsonSchema == false)
        {
            o.W.ResponseFormat = jsonMode ? AIResponseFormat.Json : null;
            o.W.Instructions = Append(o.R.Instructions, $"Respond only with JSON that conforms to this JSON schema{(json.SchemaName is null ? string.Empty : $" ({json.SchemaName})")}:\n{schema.GetRawText()}");
            context.Change("response_format", jsonMode ? "json_schema downgraded to json_object with the schema in the instructions" : "json_schema replaced by the schema in the instructions", lossy: true);
        }
        else if (json.Schema is null && !jsonMode)
        {
            o.W.ResponseFormat = null;
            o.W.Instructions = Append(o.R.Instructions, "Respond only with a valid JSON object.");
            context.Change("response_format", "json_object replaced by an instruction", lossy: true);
        }
    }

    private static string Append(string? instructions, string text) => string.IsNullOrWhiteSpace(instructions) ? text : instructions + "\n\n" + text;

    private static void ShapeExtras(OptionsDraft o, ProviderQuirks quirks, HashSet<string> unsupported, IReadOnlyDictionary<string, string> renamed, Context context)
    {
        if (o.R.AdditionalProperties is { Count: > 0 } extras)
        {
            // The caller's extra fields and the renamed parameters added above, in this order; a later entry under the
            // same name replaces the value but keeps the place (so a typed Seed wins over an extra "seed" field).
            var shaped = new AdditionalPropertiesDictionary();
            foreach (var (key, value) in extras)
            {
                if (unsupported.Contains(key))
                {
                    context.Change(key, "dropped", lossy: true);
                }
                else if (renamed.TryGetValue(key, out var newName))
                {
                    shaped[newName] = value;
                    context.Change(key, "renamed to " + newName, lossy: false);
                }
                else if (key == "n" && quirks.MaxChoices is { } maxChoices && ToInt(value) is { } n && n > maxChoices)
                {
                    shaped[key] = maxChoices;
                    context.Change("n", $"capped at {maxChoices}", lossy: true);
                }
                else
                {
                    shaped[key] = value;
                }
            }

            // They go into the SDK request's JsonPatch and leave the clone: MEAI.OpenAI's client ignores
            // ChatOptions.AdditionalProperties, and nothing below may send a field a second time. "strict" is not a
            // body field (it marks schemas strict) and stays for the inner client.
            AdditionalPropertiesDictionary? kept = null;
            foreach (var (key, value) in shaped)
            {
                if (key.Length == 0 || key == StrictKey || LocalPropertyKeys.IsLocal(key))
                {
                    // CompatAI's own keys (budget subjects) stay local: never a body field.
                    (kept ??= [])[key] = value;
                }
                else
                {
                    context.SetField(key, value);
                }
            }

            o.W.AdditionalProperties = kept;
        }

        // Fields the SDK writes itself, or that a caller set on a raw options object, are removed from the body.
        foreach (var name in unsupported)
        {
            switch (name)
            {
                case "stream_options":
                    context.RawEdit(static raw => raw.Patch.Remove("$.stream_options"u8));
                    break;
                case "logit_bias":
                    context.RawEdit(static raw => raw.LogitBiases.Clear());
                    break;
                case "logprobs":
                    context.RawEdit(static raw => raw.IncludeLogProbabilities = null);
                    break;
                case "top_logprobs":
                    context.RawEdit(static raw => raw.TopLogProbabilityCount = null);
                    break;
                case "store":
                    context.RawEdit(static raw => raw.StoredOutputEnabled = null);
                    break;
                case "user":
                    context.RawEdit(static raw => raw.EndUserId = null);
                    break;
                case "n" or "service_tier" or "metadata" or "prediction" or "modalities" or "audio" or "web_search_options":
                    byte[] path = RawJson.Path("$." + name);
                    context.RawEdit(raw =>
                    {
                        if (raw.Patch.Contains(path))
                        {
                            raw.Patch.Remove(path);
                        }
                    });
                    break;
            }
        }
    }

    private static int? ToInt(object? value) => value switch
    {
        int i => i,
        long l => (int)l,
        JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetInt32(out int j) => j,
        _ => null,
    };

    private void Report(string provider, SanitizerChange change)
    {
        CompatTelemetry.SanitizerChange(provider, change.Parameter, change.Action);
        if (_logger.IsEnabled(LogLevel.Debug) && _logged.TryAdd(provider + "\n" + change.Parameter + "\n" + change.Action, true))
        {
            LogChange(_logger, change.Parameter, provider, change.Action);
        }
    }

    /// <summary>A request after sanitizing.</summary>
    internal sealed record SanitizedRequest(IEnumerable<AIChatMessage> Messages, ChatOptions? Options, IReadOnlyList<SanitizerChange> Changes, bool RemappedIds);

    /// <summary>The options being shaped: the caller's until a rule changes something, then a private clone.</summary>
    private sealed class OptionsDraft(ChatOptions original)
    {
        private ChatOptions? _clone;

        /// <summary>Gets the options to read: the clone once there is one.</summary>
        public ChatOptions R => _clone ?? original;

        /// <summary>Gets the options to write, cloning the caller's on first use.</summary>
        public ChatOptions W => _clone ??= original.Clone();
    }

    private sealed class Context(ParameterSanitizingChatClient owner, string provider, string? model, ProviderQuirks quirks)
    {
        public string Provider { get; } = provider;

        public ProviderQuirks Quirks { get; } = quirks;

        public List<SanitizerChange> Changes { get; } = [];

        public List<Action<ChatCompletionOptions>> RawEdits { get; } = [];

        /// <summary>Gets the top-level body fields to set through the patch, in order (a <see langword="null"/> value is JSON <c>null</c>); <see langword="null"/> when there are none, so that a request without extra fields allocates nothing for them.</summary>
        public List<(byte[] Path, BinaryData? Json)>? Fields { get; private set; }

        public int FieldCount => Fields?.Count ?? 0;

        public bool NeedsRawOptions => RawEdits.Count > 0 || FieldCount > 0;

        public bool RemappedIds { get; set; }

        public void Change(string parameter, string action, bool lossy)
        {
            if (lossy && owner._options.Mode == ParameterSanitizerMode.Strict)
            {
                throw new ArgumentException(
                    $"The parameter '{parameter}' is not accepted as sent by provider '{Provider}'{(model is null ? string.Empty : $" (model '{model}')")}: it would be {action}. Remove it, or use ParameterSanitizerMode.Drop to let CompatAI adapt the request.",
                    parameter);
            }

            Changes.Add(new SanitizerChange(parameter, action, lossy));
        }

        public void RawEdit(Action<ChatCompletionOptions> edit) => RawEdits.Add(edit);

        /// <summary>Sets a top-level body field through the SDK request's patch, after the raw edits (it wins over a typed property of that name).</summary>
        public void SetField(string name, object? value)
        {
            // Serialized now, so that a value that cannot be written fails before anything is sent.
            var json = value switch
            {
                null => null,
                JsonElement element => BinaryData.FromString(element.GetRawText()),
                _ => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()))),
            };
            (Fields ??= []).Add((RawJson.Path("$." + name), json));
        }

        /// <summary>Keeps a top-level body field off the wire, also when an inner client fills the typed property of that name.</summary>
        public void RemoveField(string name)
        {
            byte[] path = RawJson.Path("$." + name);
            RawEdits.Add(raw => raw.Patch.Remove(path));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "CompatAI changed '{Parameter}' for provider '{Provider}': {Action}. Logged once; later requests get the same change silently.")]
    private static partial void LogChange(ILogger logger, string parameter, string provider, string action);
}
