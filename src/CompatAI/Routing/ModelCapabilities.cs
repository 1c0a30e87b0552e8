namespace CompatAI;

/// <summary>
/// What a model at a provider can do, as far as CompatAI knows: <see langword="null"/> means unknown (and is not held
/// against a candidate). <see cref="From"/> reads it from the provider profiles; a <see cref="RouteCandidate"/> may state it.
/// </summary>
public sealed class ModelCapabilities
{
    /// <summary>Gets or sets whether the model takes tool definitions.</summary>
    public bool? Tools { get; set; }

    /// <summary>Gets or sets whether the model takes image input.</summary>
    public bool? Vision { get; set; }

    /// <summary>Gets or sets whether the model honours a JSON schema response format.</summary>
    public bool? JsonSchema { get; set; }

    /// <summary>Gets or sets whether JSON mode may be combined with tools.</summary>
    public bool? JsonWithTools { get; set; }

    /// <summary>Gets or sets whether the model takes a reasoning effort.</summary>
    public bool? Reasoning { get; set; }

    /// <summary>Gets or sets the context window in tokens.</summary>
    public int? ContextWindow { get; set; }

    /// <summary>
    /// Reads the capabilities of <paramref name="model"/> from <paramref name="profile"/>: tools and reasoning are
    /// unsupported when the effective quirks list <c>tools</c> / <c>reasoning_effort</c> as unsupported parameters;
    /// vision, JSON schema and JSON with tools come from the quirks of the same names, the context window from the profile.
    /// </summary>
    /// <param name="profile">The provider's profile.</param>
    /// <param name="model">The model id.</param>
    /// <returns>The capabilities.</returns>
    public static ModelCapabilities From(ProviderProfile profile, string? model)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var quirks = profile.GetQuirks(model);
        var unsupported = quirks.UnsupportedParameters ?? [];
        return new ModelCapabilities
        {
            Tools = unsupported.Contains("tools", StringComparer.Ordinal) ? false : null,
            Reasoning = unsupported.Contains("reasoning_effort", StringComparer.Ordinal) ? false : null,
            Vision = quirks.SupportsImageInput,
            JsonSchema = quirks.SupportsJsonSchema,
            JsonWithTools = quirks.SupportsJsonModeWithTools,
            ContextWindow = profile.GetContextWindow(model),
        };
    }

    /// <summary>Returns these capabilities with every value <paramref name="overrides"/> states laid over them.</summary>
    /// <param name="overrides">The stated capabilities, or <see langword="null"/>.</param>
    /// <returns>The merged capabilities.</returns>
    public ModelCapabilities Merge(ModelCapabilities? overrides) => overrides is null ? this : new ModelCapabilities
    {
        Tools = overrides.Tools ?? Tools,
        Vision = overrides.Vision ?? Vision,
        JsonSchema = overrides.JsonSchema ?? JsonSchema,
        JsonWithTools = overrides.JsonWithTools ?? JsonWithTools,
        Reasoning = overrides.Reasoning ?? Reasoning,
        ContextWindow = overrides.ContextWindow ?? ContextWindow,
    };
}
