using CompatAI;

namespace CompatAI;

/// <summary>What <see cref="ReasoningExtractingChatClient"/> does with the reasoning it finds.</summary>
public enum ReasoningOutputMode
{
    /// <summary>Reasoning is returned as <see cref="Microsoft.Extensions.AI.TextReasoningContent"/>, separate from the answer (default).</summary>
    Separate,

    /// <summary>Reasoning is removed from the response.</summary>
    Drop,

    /// <summary>
    /// Like <see cref="Separate"/>, but when the answer text is empty the reasoning becomes the answer (as
    /// <see cref="Microsoft.Extensions.AI.TextContent"/>). When streaming, reasoning is held back until answer text
    /// appears, so it is never emitted twice.
    /// </summary>
    AnswerWhenContentEmpty,
}

/// <summary>Configures <see cref="ReasoningExtractingChatClient"/>. Unset properties take the provider profile's value, then the default named on each.</summary>
public sealed class ReasoningExtractionOptions
{
    /// <summary>Gets or sets what is done with reasoning. Default: <see cref="ReasoningOutputMode.Separate"/>.</summary>
    public ReasoningOutputMode Mode { get; set; } = ReasoningOutputMode.Separate;

    /// <summary>
    /// Gets or sets the response fields read as reasoning, in order of preference (the first present wins, so the same
    /// reasoning is never taken twice). Default: the profile's <see cref="ProviderQuirks.ReasoningFields"/>, else
    /// <c>reasoning_content</c>, <c>reasoning</c>, <c>reasoning_details</c>.
    /// </summary>
    public IList<string>? Fields { get; set; }

    /// <summary>
    /// Gets or sets the tag names that wrap reasoning inside the content. An empty list turns tag parsing off.
    /// Default: the profile's <see cref="ProviderQuirks.ReasoningTags"/>, else <c>think</c>.
    /// </summary>
    public IList<string>? TagNames { get; set; }

    /// <summary>
    /// Gets or sets whether, in a stream, text before the first tag is held back until a tag decides what it is, so that
    /// reasoning that starts without an opening tag (and ends with an orphan closing tag) is recognised. Holding delays
    /// the first answer text of responses that contain no tag at all until the end of the stream. When off, an orphan
    /// closing tag is removed and the text before it stays answer text. Non-streaming responses always recognise an
    /// orphan closing tag. Detection stops as soon as reasoning arrives in a dedicated field (<c>reasoning</c>,
    /// <c>reasoning_content</c>), and held text is released at any end of the stream, before an error is thrown.
    /// Default: the profile's <see cref="ProviderQuirks.UntaggedReasoningAtStart"/> for the model (on for DeepSeek-R1
    /// family and QwQ ids on every provider, <c>custom</c> endpoints included, and for <c>think</c> models where the
    /// provider's catalog entry says so), else off.
    /// </summary>
    public bool? DetectUntaggedReasoningAtStart { get; set; }

    /// <summary>
    /// Gets or sets how reasoning on assistant messages sent back is treated. Default: the profile's
    /// <see cref="ProviderQuirks.ReasoningReplay"/>, else <see cref="CompatAI.ReasoningReplay.None"/> (left as it is).
    /// </summary>
    public ReasoningReplay? Replay { get; set; }

    /// <summary>Gets or sets the assistant message field reasoning is replayed in. Default: the profile's, else <c>reasoning_content</c>.</summary>
    public string? ReplayField { get; set; }

    /// <summary>
    /// Gets or sets whether, when replay is <see cref="CompatAI.ReasoningReplay.Required"/>, an assistant tool-call message
    /// that has no reasoning (one from a history that kept none, such as a Semantic Kernel <c>ChatHistory</c>, a store, or
    /// another provider) is sent with <see cref="MissingReasoningPlaceholder"/> in the replay field. DeepSeek thinking
    /// mode and Kimi thinking models reject such a message without the field (HTTP 400). Default: <see langword="true"/>;
    /// <see langword="false"/> sends such messages without the field.
    /// </summary>
    public bool FillMissingReasoning { get; set; } = true;

    /// <summary>
    /// Gets or sets what <see cref="FillMissingReasoning"/> replays on an assistant tool-call message that has no reasoning.
    /// DeepSeek accepts any string (<c>""</c> included); Kimi K2.6 treats <c>""</c> as missing, so the default is non-empty.
    /// Default: <see langword="null"/>, which is <see cref="DefaultMissingReasoningPlaceholder"/> in a text field
    /// (<c>reasoning_content</c>) and nothing in a <c>reasoning_details</c> field, whose typed items must be replayed as
    /// the provider produced them (OpenRouter). A value set here is used for every field.
    /// </summary>
    public string? MissingReasoningPlaceholder { get; set; }

    /// <summary>The placeholder replayed in a text field when <see cref="MissingReasoningPlaceholder"/> is not set: <c>"."</c>.</summary>
    public const string DefaultMissingReasoningPlaceholder = ".";

    /// <summary>
    /// Gets or sets the top-level response fields read as citations (<c>citations</c>: an array of URLs;
    /// <c>search_results</c>: objects with <c>url</c>, <c>title</c>, <c>snippet</c>). Default: the profile's (none when the
    /// profile names none), else, for a client without a profile, both.
    /// </summary>
    public IList<string>? CitationFields { get; set; }

    /// <summary>
    /// Gets or sets the provider-specific usage fields (paths under <c>usage</c>, dotted for nested ones) copied into
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> (token and request counters) or, for money
    /// fields (names containing <c>cost</c>, except <c>cost_in_usd_ticks</c>), the response's <c>AdditionalProperties</c> as a <see cref="double"/>. Default: the profile's (none when the profile names none), else, for a client without a
    /// profile, a built-in list of known counters.
    /// </summary>
    public IList<string>? UsageFields { get; set; }

    internal static readonly string[] DefaultFields = ["reasoning_content", "reasoning", "reasoning_details"];
    internal static readonly string[] DefaultTags = ["think"];
    internal static readonly string[] DefaultCitationFields = ["citations", "search_results"];
    internal static readonly string[] DefaultUsageFields =
    [
        "prompt_cache_hit_tokens", "prompt_cache_miss_tokens", "cached_tokens", "num_cached_tokens",
        "cache_creation_input_tokens", "citation_tokens", "num_search_queries", "cost", "cost_in_usd_ticks",
    ];
}
