using CompatAI;

namespace CompatAI;

/// <summary>What <see cref="ParameterSanitizingChatClient"/> does about a parameter the provider would reject.</summary>
public enum ParameterSanitizerMode
{
    /// <summary>Drops, renames or rewrites it, logging each kind of change once at debug level (default).</summary>
    Drop,

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the parameter and the provider before anything is sent, for every
    /// change that loses information; lossless translations (renames, role mapping, tool-call ids) still happen.
    /// </summary>
    Strict,

    /// <summary>Sends the request as the caller shaped it.</summary>
    Passthrough,
}

/// <summary>Configures <see cref="ParameterSanitizingChatClient"/>.</summary>
public sealed class ParameterSanitizingOptions
{
    /// <summary>Gets or sets the mode. Default: <see cref="ParameterSanitizerMode.Drop"/>.</summary>
    public ParameterSanitizerMode Mode { get; set; } = ParameterSanitizerMode.Drop;

    /// <summary>
    /// Gets or sets quirks laid over the provider profile's (non-null properties win), for a provider whose rules changed
    /// since the catalog was written. Default: none.
    /// </summary>
    public ProviderQuirks? QuirksOverride { get; set; }
}
