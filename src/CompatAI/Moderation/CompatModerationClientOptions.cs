namespace CompatAI;

/// <summary>Names a provider and the few things needed to call its moderation endpoint; everything else comes from its catalog profile.</summary>
public sealed class CompatModerationClientOptions
{
    /// <summary>Gets or sets the catalog name or alias of the provider: <c>openai</c> or <c>mistral</c> (or a provider given a moderation entry by an override).</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>Gets or sets the base URL, overriding the profile's.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the API key. When <see langword="null"/>, the profile's environment variable is read.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the moderation model; when <see langword="null"/>, the profile's default.</summary>
    public string? Model { get; set; }

    /// <summary>Gets extra headers sent on every request, added to the profile's own.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the time one HTTP attempt may take. Default: 100 seconds.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets how failed HTTP attempts are retried. Default: <see cref="RetryOptions"/> defaults.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Gets or sets the catalog the provider is looked up in. Default: <see cref="ProviderCatalog.Default"/>.</summary>
    public ProviderCatalog? Catalog { get; set; }

    /// <summary>Gets or sets the <see cref="System.Net.Http.HttpClient"/> to send requests with; when <see langword="null"/> a shared one is used.</summary>
    public HttpClient? HttpClient { get; set; }
}
