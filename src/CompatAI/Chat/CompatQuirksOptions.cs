namespace CompatAI;

/// <summary>The options of each middleware in a provider's quirk set (see <c>UseCompatQuirks</c>).</summary>
public sealed class CompatQuirksOptions
{
    /// <summary>Gets or sets the parameter sanitizer's options.</summary>
    public ParameterSanitizingOptions ParameterSanitizer { get; set; } = new();

    /// <summary>Gets or sets the reasoning extractor's options.</summary>
    public ReasoningExtractionOptions Reasoning { get; set; } = new();

    /// <summary>
    /// Gets or sets the system-merge shim's options. When <see langword="null"/> (the default), the shim is added only for
    /// providers whose rules restrict the system role or demand alternating turns; when set, it is always added.
    /// </summary>
    public SystemMergingOptions? SystemMerge { get; set; }
}
