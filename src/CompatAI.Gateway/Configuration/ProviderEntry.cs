namespace CompatAI.Gateway.Configuration;

/// <summary>One provider from the <c>CompatAI:Providers:&lt;name&gt;</c> configuration section; <c>&lt;name&gt;</c> becomes its model prefix.</summary>
public sealed class ProviderEntry
{
    /// <summary>Gets or sets the catalog name of the provider (for example <c>groq</c>); defaults to the entry's name.</summary>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the base URL, overriding the catalog's.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the provider's API key. When empty, the client's own credential is passed through (or the catalog's environment variable is read).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the default model id of the provider.</summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets extra headers sent to the provider on every request.</summary>
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the model ids listed in <c>/v1/models</c> besides <see cref="Model"/>.</summary>
    public IList<string> Models { get; set; } = [];

    /// <summary>Gets or sets whether <c>/v1/models</c> also asks the provider for its own list (cached). Default: <see langword="true"/>.</summary>
    public bool ListUpstreamModels { get; set; } = true;

    /// <summary>Gets or sets the time one HTTP attempt may take.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets the configuration section this entry was read from, so a factory can bind further settings from it.</summary>
    public Microsoft.Extensions.Configuration.IConfigurationSection? Section { get; internal set; }

    /// <summary>Gets or sets how failed HTTP attempts are retried (<c>…:Retry:MaxRetries</c>, <c>BaseDelay</c>, <c>MaxDelay</c>, <c>MaxRetryAfter</c>).</summary>
    public RetryOptions Retry { get; set; } = new();
}
