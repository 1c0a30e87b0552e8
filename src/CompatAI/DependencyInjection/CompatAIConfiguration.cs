using CompatAI;
using Microsoft.Extensions.Configuration;

namespace CompatAI;

/// <summary>The <c>CompatAI</c> configuration section: the providers and the fallback order.</summary>
public sealed class CompatAIConfiguration
{
    /// <summary>The configuration section this type binds from.</summary>
    public const string SectionName = "CompatAI";

    /// <summary>Gets the providers, by the name used in configuration (<c>CompatAI:Providers:&lt;name&gt;</c>).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "MA0016:Prefer using collection abstraction instead of implementation", Justification = "Bound by Microsoft.Extensions.Configuration, which fills concrete collections; the shape is the documented options pattern.")]
    public Dictionary<string, CompatProviderConfiguration> Providers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the provider names of the fallback chain, in order (<c>CompatAI:Fallback:0</c>, <c>:1</c>, …).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "MA0016:Prefer using collection abstraction instead of implementation", Justification = "Bound by Microsoft.Extensions.Configuration, which fills concrete collections; the shape is the documented options pattern.")]
    public List<string> Fallback { get; } = [];

    /// <summary>Gets or sets the options of the fallback chain (<c>CompatAI:FallbackOptions</c>).</summary>
    public FallbackOptions FallbackOptions { get; set; } = new();

    /// <summary>
    /// Reads a <c>CompatAI</c> section into this object: <c>Providers</c>, <c>Fallback</c> and <c>FallbackOptions</c>
    /// (<c>Profiles</c> is read by <see cref="ProviderCatalog.WithOverrides"/>). Use this rather than binding the whole
    /// object: it binds only settings (never <see cref="FallbackOptions.TimeProvider"/> or
    /// <see cref="FallbackOptions.StateStore"/>, which are set in code; naming them is an error), and it reads a
    /// provider's <c>ParameterSanitizer:QuirksOverride</c> with the catalog's rules, so the result is the same in JIT,
    /// trimmed and Native AOT applications (the configuration binding source generator cannot set the init-only
    /// properties of <see cref="ProviderQuirks"/>).
    /// </summary>
    /// <param name="section">The <c>CompatAI</c> section.</param>
    /// <exception cref="InvalidOperationException">A value cannot be converted or a key cannot be set; the message names the configuration key.</exception>
    public void Bind(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var providers = section.GetSection(nameof(Providers));
        providers.Bind(Providers);
        section.GetSection(nameof(Fallback)).Bind(Fallback);
        FallbackOptionsBinder.Bind(section.GetSection(nameof(FallbackOptions)), FallbackOptions);
        foreach (var provider in providers.GetChildren())
        {
            var quirks = provider.GetSection(nameof(CompatProviderConfiguration.ParameterSanitizer) + ":" + nameof(ParameterSanitizingOptions.QuirksOverride));
            if (quirks.Exists() && Providers.TryGetValue(provider.Key, out var entry))
            {
                entry.ParameterSanitizer.QuirksOverride = ProviderCatalog.ReadQuirks(quirks);
            }
        }
    }

    /// <summary>
    /// Returns the built-in catalog with the profile overrides of <c>CompatAI:Profiles:&lt;name&gt;</c> applied
    /// (see <see cref="ProviderCatalog.WithOverrides"/>), or the built-in catalog when that section is absent.
    /// </summary>
    internal static ProviderCatalog CatalogFrom(IConfiguration configuration)
    {
        var profiles = configuration.GetSection(SectionName + ":Profiles");
        return profiles.Exists() ? ProviderCatalog.Default.WithOverrides(profiles) : ProviderCatalog.Default;
    }
}

/// <summary>One provider under <c>CompatAI:Providers:&lt;name&gt;</c>.</summary>
public sealed class CompatProviderConfiguration
{
    /// <summary>Gets or sets the catalog name or alias; defaults to the configuration name.</summary>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the base URL, overriding the profile's (required for <c>custom</c>).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the API key; when unset, the profile's environment variable is read.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the default model; when unset, the profile's.</summary>
    public string? Model { get; set; }

    /// <summary>Gets extra headers sent on every request.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "MA0016:Prefer using collection abstraction instead of implementation", Justification = "Bound by Microsoft.Extensions.Configuration, which fills concrete collections; the shape is the documented options pattern.")]
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the time one HTTP attempt may take.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets how failed HTTP attempts are retried (<c>…:Retry:MaxRetries</c>, <c>BaseDelay</c>, <c>MaxDelay</c>, <c>MaxRetryAfter</c>).</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Gets or sets the parameter sanitizer's options (<c>…:ParameterSanitizer</c>).</summary>
    public ParameterSanitizingOptions ParameterSanitizer { get; set; } = new();

    /// <summary>Gets or sets the reasoning extractor's options (<c>…:Reasoning</c>).</summary>
    public ReasoningExtractionOptions Reasoning { get; set; } = new();

    /// <summary>Gets or sets the system-merge shim's options (<c>…:SystemMerge</c>); when unset, it is used only where the profile needs it.</summary>
    public SystemMergingOptions? SystemMerge { get; set; }

    /// <summary>
    /// Returns the client options this entry describes: the one mapping from <c>CompatAI:Providers:&lt;name&gt;</c> to
    /// <see cref="CompatChatClientOptions"/>, used by <c>AddCompatChatClient</c> and by hosts (such as the gateway) that
    /// build clients from the same configuration. Transport (<see cref="CompatChatClientOptions.HttpClient"/>) and
    /// logging are left for the caller to set.
    /// </summary>
    /// <param name="name">The configuration name of the entry; the catalog provider when <see cref="Provider"/> is unset.</param>
    /// <param name="catalog">The catalog to look the provider up in (for example with <c>CompatAI:Profiles</c> overrides applied); <see langword="null"/> for <see cref="ProviderCatalog.Default"/>.</param>
    /// <returns>New options; the caller may change them.</returns>
    public CompatChatClientOptions ToClientOptions(string name, ProviderCatalog? catalog = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new CompatChatClientOptions
        {
            Catalog = catalog,
            Provider = Provider ?? name,
            Endpoint = Endpoint,
            ApiKey = ApiKey,
            Model = Model,
            Timeout = Timeout,
            Retry = Retry,
            ParameterSanitizer = ParameterSanitizer,
            Reasoning = Reasoning,
            SystemMerge = SystemMerge,
        };
        foreach (var (header, value) in Headers)
        {
            options.Headers[header] = value;
        }

        return options;
    }
}
