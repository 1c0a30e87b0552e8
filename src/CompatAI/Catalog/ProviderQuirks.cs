namespace CompatAI;

/// <summary>
/// What a provider does differently from OpenAI's Chat Completions API, as data that the middleware reads.
/// Every property is nullable: <see langword="null"/> means "as OpenAI does" (the default named on each property),
/// so that a per-model rule can override only what differs (see <see cref="Merge"/>).
/// </summary>
public sealed class ProviderQuirks
{
    /// <summary>Gets request body fields (wire names such as <c>n</c>, <c>logit_bias</c>, <c>stream_options</c>) that the provider rejects. Default: none.</summary>
    public IReadOnlyList<string>? UnsupportedParameters { get; init; }

    /// <summary>Gets request body fields the provider knows under another name, for example <c>seed</c> to <c>random_seed</c>. Default: none.</summary>
    public IReadOnlyDictionary<string, string>? RenamedParameters { get; init; }

    /// <summary>Gets the field that carries the output-token limit: <c>max_tokens</c> or <c>max_completion_tokens</c>. Default: <c>max_completion_tokens</c>.</summary>
    public string? MaxTokensParameter { get; init; }

    /// <summary>Gets the most stop sequences the provider accepts. Default: 4.</summary>
    public int? MaxStopSequences { get; init; }

    /// <summary>Gets the lowest <c>temperature</c> the provider accepts; a lower value is raised to it (MiniMax rejects 0). Default: no limit.</summary>
    public double? MinTemperature { get; init; }

    /// <summary>Gets the highest <c>temperature</c> the provider accepts; a higher value is lowered to it. Default: no limit.</summary>
    public double? MaxTemperature { get; init; }

    /// <summary>Gets the largest <c>n</c> (choices per request) the provider accepts. Default: 128.</summary>
    public int? MaxChoices { get; init; }

    /// <summary>Gets how the provider treats the system role. Default: <see cref="SystemRoleSupport.Supported"/>.</summary>
    public SystemRoleSupport? SystemRole { get; init; }

    /// <summary>Gets how the provider treats the developer role. Default: <see cref="DeveloperRoleSupport.Supported"/>.</summary>
    public DeveloperRoleSupport? DeveloperRole { get; init; }

    /// <summary>Gets whether the provider demands strictly alternating user/assistant turns (Perplexity). Default: false.</summary>
    public bool? RequiresAlternatingRoles { get; init; }

    /// <summary>Gets whether messages may carry a <c>name</c>. Default: true.</summary>
    public bool? SupportsMessageName { get; init; }

    /// <summary>Gets the response fields that carry reasoning, in order of preference: <c>reasoning_content</c>, <c>reasoning</c>, <c>reasoning_details</c>. Default: none.</summary>
    public IReadOnlyList<string>? ReasoningFields { get; init; }

    /// <summary>Gets the tag names that wrap reasoning inline in the content, for example <c>think</c>. Default: none.</summary>
    public IReadOnlyList<string>? ReasoningTags { get; init; }

    /// <summary>Gets what to do with reasoning on assistant messages sent back. Default: <see cref="CompatAI.ReasoningReplay.None"/>.</summary>
    public ReasoningReplay? ReasoningReplay { get; init; }

    /// <summary>Gets the message field reasoning is replayed in. Default: <c>reasoning_content</c>.</summary>
    public string? ReasoningReplayField { get; init; }

    /// <summary>Gets the <c>tool_choice</c> values the provider spells differently, for example <c>required</c> to <c>any</c>. Default: none.</summary>
    public IReadOnlyDictionary<string, string>? ToolChoiceValues { get; init; }

    /// <summary>
    /// Gets the string <c>tool_choice</c> values the provider accepts, in OpenAI's spelling (a subset of <c>none</c>,
    /// <c>auto</c>, <c>required</c>; renaming through <see cref="ToolChoiceValues"/> happens afterwards), for example only
    /// <c>auto</c> for Zhipu GLM. Default: all three.
    /// </summary>
    public IReadOnlyList<string>? SupportedToolChoiceValues { get; init; }

    /// <summary>Gets whether a named tool choice (<c>{"type":"function","function":{"name":...}}</c>) is accepted. Default: true.</summary>
    public bool? SupportsNamedToolChoice { get; init; }

    /// <summary>Gets the tool-call id format accepted on input. Default: <see cref="CompatAI.ToolCallIdFormat.Any"/>.</summary>
    public ToolCallIdFormat? ToolCallIdFormat { get; init; }

    /// <summary>Gets what the content of a tool-call-only assistant message must be. Default: <see cref="ToolCallContentStyle.Null"/>.</summary>
    public ToolCallContentStyle? ToolCallContent { get; init; }

    /// <summary>Gets whether <c>response_format: json_schema</c> is supported. Default: true.</summary>
    public bool? SupportsJsonSchema { get; init; }

    /// <summary>Gets whether <c>response_format: json_object</c> is supported. Default: true.</summary>
    public bool? SupportsJsonMode { get; init; }

    /// <summary>Gets whether JSON mode may be combined with tools. Default: true.</summary>
    public bool? SupportsJsonModeWithTools { get; init; }

    /// <summary>Gets the top-level response fields that carry citations or sources, for example <c>citations</c>, <c>search_results</c>. Default: none.</summary>
    public IReadOnlyList<string>? CitationFields { get; init; }

    /// <summary>Gets provider-specific usage counters to surface (for example <c>prompt_cache_hit_tokens</c>, <c>cost</c>). Default: none.</summary>
    public IReadOnlyList<string>? UsageFields { get; init; }

    /// <summary>
    /// Gets the <c>usage</c> field that counts cached prompt tokens where the provider does not report them under
    /// <c>prompt_tokens_details.cached_tokens</c> (Moonshot's top-level <c>cached_tokens</c>); its value becomes
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.CachedInputTokenCount"/> when that is not already set. Default: none.
    /// </summary>
    public string? CachedInputTokensField { get; init; }

    /// <summary>
    /// Gets whether responses carry Azure-style <c>prompt_filter_results</c> / <c>content_filter_results</c>, which
    /// <see cref="ContentFilterResultsChatClient"/> then surfaces in <c>AdditionalProperties</c>. Read from the provider's
    /// own quirks. Default: false.
    /// </summary>
    public bool? ReportsContentFilterResults { get; init; }

    /// <summary>Gets whether the model accepts image content parts; <see langword="false"/> when it rejects them. Default: unknown (sent as given).</summary>
    public bool? SupportsImageInput { get; init; }

    /// <summary>
    /// Gets whether a request whose <c>/chat/completions</c> answers 404 may be sent to the provider's <c>/responses</c>
    /// instead; <see langword="false"/> for providers known not to serve it. Default: tried.
    /// </summary>
    public bool? SupportsResponsesApi { get; init; }

    /// <summary>
    /// Gets whether the model is served only through the provider's <c>/responses</c> (Responses API), so requests go
    /// there directly instead of to <c>/chat/completions</c> first (Perplexity's Agent API since Sonar Chat Completions
    /// ended). Prefix completion is not available there. Default: false (Chat Completions, with the 404 fallback
    /// <see cref="SupportsResponsesApi"/> allows).
    /// </summary>
    public bool? ResponsesApiOnly { get; init; }

    /// <summary>
    /// Gets whether every stream chunk carries <c>usage</c> with running totals (Perplexity) rather than one report at the
    /// end; the wire repairs then pass on only the last report, so that adding up streamed usage gives the provider's
    /// total. Read from the provider's own quirks. Default: false.
    /// </summary>
    public bool? CumulativeStreamUsage { get; init; }

    /// <summary>
    /// Gets whether the model's chat template puts the opening reasoning tag in the prompt, so that output starts with
    /// untagged reasoning ended by an orphan closing tag (DeepSeek-R1 and its distills, QwQ, thinking variants). The
    /// reasoning extractor then holds the start of a stream back until it can tell. Default: false.
    /// </summary>
    public bool? UntaggedReasoningAtStart { get; init; }

    /// <summary>Returns a copy of these quirks with every non-null property of <paramref name="overrides"/> taking precedence.</summary>
    /// <param name="overrides">The quirks to lay over these; may be <see langword="null"/>.</param>
    /// <returns>The merged quirks.</returns>
    public ProviderQuirks Merge(ProviderQuirks? overrides)
    {
        if (overrides is null)
        {
            return this;
        }

        return new ProviderQuirks
        {
            UnsupportedParameters = overrides.UnsupportedParameters ?? UnsupportedParameters,
            RenamedParameters = overrides.RenamedParameters ?? RenamedParameters,
            MaxTokensParameter = overrides.MaxTokensParameter ?? MaxTokensParameter,
            MaxStopSequences = overrides.MaxStopSequences ?? MaxStopSequences,
            MinTemperature = overrides.MinTemperature ?? MinTemperature,
            MaxTemperature = overrides.MaxTemperature ?? MaxTemperature,
            MaxChoices = overrides.MaxChoices ?? MaxChoices,
            SystemRole = overrides.SystemRole ?? SystemRole,
            DeveloperRole = overrides.DeveloperRole ?? DeveloperRole,
            RequiresAlternatingRoles = overrides.RequiresAlternatingRoles ?? RequiresAlternatingRoles,
            SupportsMessageName = overrides.SupportsMessageName ?? SupportsMessageName,
            ReasoningFields = overrides.ReasoningFields ?? ReasoningFields,
            ReasoningTags = overrides.ReasoningTags ?? ReasoningTags,
            ReasoningReplay = overrides.ReasoningReplay ?? ReasoningReplay,
            ReasoningReplayField = overrides.ReasoningReplayField ?? ReasoningReplayField,
            ToolChoiceValues = overrides.ToolChoiceValues ?? ToolChoiceValues,
            SupportedToolChoiceValues = overrides.SupportedToolChoiceValues ?? SupportedToolChoiceValues,
            SupportsNamedToolChoice = overrides.SupportsNamedToolChoice ?? SupportsNamedToolChoice,
            ToolCallIdFormat = overrides.ToolCallIdFormat ?? ToolCallIdFormat,
            ToolCallContent = overrides.ToolCallContent ?? ToolCallContent,
            SupportsJsonSchema = overrides.SupportsJsonSchema ?? SupportsJsonSchema,
            SupportsJsonMode = overrides.SupportsJsonMode ?? SupportsJsonMode,
            SupportsJsonModeWithTools = overrides.SupportsJsonModeWithTools ?? SupportsJsonModeWithTools,
            CitationFields = overrides.CitationFields ?? CitationFields,
            UsageFields = overrides.UsageFields ?? UsageFields,
            CachedInputTokensField = overrides.CachedInputTokensField ?? CachedInputTokensField,
            ReportsContentFilterResults = overrides.ReportsContentFilterResults ?? ReportsContentFilterResults,
            SupportsImageInput = overrides.SupportsImageInput ?? SupportsImageInput,
            SupportsResponsesApi = overrides.SupportsResponsesApi ?? SupportsResponsesApi,
            ResponsesApiOnly = overrides.ResponsesApiOnly ?? ResponsesApiOnly,
            CumulativeStreamUsage = overrides.CumulativeStreamUsage ?? CumulativeStreamUsage,
            UntaggedReasoningAtStart = overrides.UntaggedReasoningAtStart ?? UntaggedReasoningAtStart,
        };
    }
}
