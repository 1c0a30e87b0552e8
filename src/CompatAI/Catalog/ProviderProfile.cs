using System.Text.Json.Serialization;

namespace CompatAI;

/// <summary>
/// Everything CompatAI knows about one OpenAI-compatible service: where it lives, how it authenticates and what it does
/// differently. Profiles are data (see <see cref="ProviderCatalog"/>) and can be overridden from configuration.
/// </summary>
public sealed class ProviderProfile
{
    private readonly bool? _requiresApiKey;

    /// <summary>Gets the catalog name, lower case, for example <c>groq</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the name people know the service by, for example <c>Groq</c>.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Gets the base URL of the OpenAI-compatible API (the part before <c>/chat/completions</c>); <see langword="null"/> when the caller must supply one.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>
    /// Gets, for a provider whose URL contains something only the caller knows (Cloudflare's account id), the URL to
    /// fill in, with the parts to replace in braces, for example <c>https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1</c>.
    /// Such a provider has no <see cref="BaseUrl"/>: the caller passes the filled-in URL as the endpoint.
    /// </summary>
    public string? EndpointTemplate { get; init; }

    /// <summary>Gets other names the provider is found under, for example <c>grok</c> for <c>xai</c>.</summary>
    public IReadOnlyList<string> Aliases { get; init => field = value ?? []; } = [];

    /// <summary>Gets how the API key is sent.</summary>
    public ProviderAuthStyle AuthStyle { get; init; } = ProviderAuthStyle.Bearer;

    /// <summary>Gets the header name for <see cref="ProviderAuthStyle.Header"/>.</summary>
    public string? AuthHeaderName { get; init; }

    /// <summary>Gets the environment variable the API key is read from when none is given, for example <c>GROQ_API_KEY</c>.</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>Gets whether a call without an API key is an error.</summary>
    [JsonIgnore]
    public bool RequiresApiKey { get => _requiresApiKey ?? true; init => _requiresApiKey = value; }

    // The JSON source generator sets every init-only property it knows, using default(T) for members the document
    // omits, which would turn an omitted "requiresApiKey" into false. A nullable twin keeps "omitted" distinguishable.
    [JsonInclude]
    [JsonPropertyName("requiresApiKey")]
    internal bool? RequiresApiKeyFromJson { get => _requiresApiKey; init => _requiresApiKey = value; }

    /// <summary>Gets the model used when the caller names none.</summary>
    public string? DefaultModel { get; init; }

    /// <summary>Gets headers sent on every request (for example OpenRouter's <c>HTTP-Referer</c> and <c>X-Title</c>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init => field = value ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase); } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets whether requests must use HTTP/1.1 (some gateways misbehave on HTTP/2).</summary>
    public bool ForceHttp11 { get; init; }

    /// <summary>Gets, for a service that no longer exists, the message to fail with; <see langword="null"/> for a live service.</summary>
    public string? RetiredMessage { get; init; }

    /// <summary>Gets the provider's quirks for all models.</summary>
    public ProviderQuirks Quirks { get; init => field = value ?? new(); } = new();

    /// <summary>Gets quirks that apply only to some models, applied in order over <see cref="Quirks"/>.</summary>
    public IReadOnlyList<ModelRule> ModelRules { get; init => field = value ?? []; } = [];

    /// <summary>Gets how the provider serves <c>/embeddings</c>; <see langword="null"/> when it does not (or CompatAI has no record that it does).</summary>
    public EmbeddingsProfile? Embeddings { get; init; }

    /// <summary>Gets how the provider serves the legacy text completions endpoint; <see langword="null"/> when it does not (or CompatAI has no record that it does).</summary>
    public CompletionsProfile? Completions { get; init; }

    /// <summary>Gets how the provider serves prefix completion (a final assistant message marked with <c>"prefix": true</c>); <see langword="null"/> when it does not (or CompatAI has no record that it does).</summary>
    public PrefixCompletionProfile? PrefixCompletion { get; init; }

    /// <summary>
    /// Gets the extra message-level fields the provider accepts beyond the standard ones (OpenRouter:
    /// <c>reasoning_details</c>). A <see cref="Microsoft.Extensions.AI.ChatMessage.AdditionalProperties"/> entry whose key is
    /// listed here is sent as that field of the message; other entries stay local, because applications and middleware
    /// keep their own metadata there. Prefix messages have their own rule (<see cref="PrefixCompletion"/>).
    /// </summary>
    public IReadOnlyList<string> MessageFields { get; init => field = value ?? []; } = [];

    /// <summary>Gets how the provider serves moderation; <see langword="null"/> when it has none (or CompatAI has no record of one).</summary>
    public ModerationProfile? Moderation { get; init; }

    /// <summary>Gets the context windows of the provider's models, when recorded; the first matching rule wins.</summary>
    public IReadOnlyList<ContextWindowRule> ContextWindows { get; init => field = value ?? []; } = [];

    /// <summary>Gets models whose lifecycle the catalog records (current, deprecated with a shutdown date, retired with a replacement).</summary>
    public IReadOnlyList<KnownModel> Models { get; init => field = value ?? []; } = [];

    /// <summary>
    /// Gets the date the profile's facts were last checked against the provider's documentation; <see langword="null"/>
    /// when it has not been checked since lifecycles were recorded. <c>eng/catalog-freshness.mjs</c> lists profiles whose
    /// date is older than 120 days.
    /// </summary>
    public DateOnly? Verified { get; init; }

    /// <summary>Returns the catalog's lifecycle entry for <paramref name="modelId"/> (case-insensitive), or <see langword="null"/> when it records none.</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public KnownModel? FindModel(string? modelId) =>
        modelId is null ? null : Models.FirstOrDefault(m => string.Equals(m.Id, modelId, StringComparison.OrdinalIgnoreCase));

    /// <summary>Gets where the facts in this profile come from (documentation pages, issues, recorded traffic).</summary>
    public IReadOnlyList<string> Sources { get; init => field = value ?? []; } = [];

    /// <summary>Returns the context window of <paramref name="modelId"/> in tokens, or <see langword="null"/> when the profile does not record it.</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>The context window, or <see langword="null"/>.</returns>
    public int? GetContextWindow(string? modelId) => ContextWindows.FirstOrDefault(rule => rule.Matches(modelId))?.Tokens;

    /// <summary>Returns the quirks in force for <paramref name="modelId"/>: the provider's own, with every matching model rule laid over them in order.</summary>
    /// <param name="modelId">The model id of the request; <see langword="null"/> gives the provider-wide quirks.</param>
    /// <returns>The effective quirks.</returns>
    public ProviderQuirks GetQuirks(string? modelId)
    {
        var quirks = Quirks;
        foreach (var rule in ModelRules)
        {
            if (rule.Matches(modelId))
            {
                quirks = quirks.Merge(rule.Quirks);
            }
        }

        return quirks;
    }
}
