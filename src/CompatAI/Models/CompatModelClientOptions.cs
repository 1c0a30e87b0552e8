namespace CompatAI;

/// <summary>Configures <see cref="CompatModelClient"/>: the same connection settings as <see cref="CompatChatClientOptions"/>, and the cache.</summary>
public sealed class CompatModelClientOptions
{
    /// <summary>Gets or sets the catalog name of the provider, for example <c>groq</c>. Required.</summary>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the base URL; <see langword="null"/> for the profile's.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the API key; <see langword="null"/> to read the profile's environment variable.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets extra headers sent with the request.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the network timeout. Default: 100 seconds.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets the retry of transient failures.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Gets or sets the <see cref="HttpClient"/> to send with; <see langword="null"/> for the SDK's shared one.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets the catalog the provider is read from. Default: <see cref="ProviderCatalog.Default"/>.</summary>
    public ProviderCatalog? Catalog { get; set; }

    /// <summary>Gets or sets the price table whose models count as known when <c>GET /models</c> fails. Default: <see cref="PriceTable.Default"/>.</summary>
    public PriceTable? Prices { get; set; }

    /// <summary>Gets or sets how long a list is reused. Default: 10 minutes.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the clock of the cache. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Provider))
        {
            throw new ArgumentException("CompatModelClientOptions.Provider is required: name a catalog provider such as 'openai', 'mistral' or 'custom'.", nameof(Provider));
        }

        if (CacheDuration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CacheDuration), CacheDuration, "CompatModelClientOptions.CacheDuration must not be negative.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(Retry, nameof(Retry));
    }
}
