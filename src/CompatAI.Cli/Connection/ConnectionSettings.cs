namespace CompatAI.Cli;

/// <summary>The provider connection as CompatAI would make it: the configuration entry, the profile, endpoint, key and model.</summary>
internal sealed class ConnectionSettings
{
    /// <summary>The configuration name (<c>CompatAI:Providers:&lt;Name&gt;</c>) or the catalog name.</summary>
    public required string Name { get; init; }

    /// <summary>The catalog with the configuration's <c>CompatAI:Profiles</c> overrides applied.</summary>
    public required ProviderCatalog Catalog { get; init; }

    /// <summary>The provider profile; null when the provider is unknown (see <see cref="Configuration"/>).</summary>
    public ProviderProfile? Profile { get; init; }

    /// <summary>The client options, exactly as <c>AddCompatChatClient</c> maps the configuration entry.</summary>
    public required CompatChatClientOptions ClientOptions { get; init; }

    /// <summary>The base URL in force (configured, or the profile's).</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The API key in force; never printed.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Where the key came from (a configuration key or environment variable name), for messages.</summary>
    public string? ApiKeySource { get; init; }

    /// <summary>The model in force.</summary>
    public string? Model { get; init; }

    /// <summary>The configuration path of the entry, for example <c>CompatAI:Providers:groq</c>.</summary>
    public required string SectionPath { get; init; }

    /// <summary>The result of reading the configuration (pass, warn or fail with a fix).</summary>
    public required CheckResult Configuration { get; init; }
}
