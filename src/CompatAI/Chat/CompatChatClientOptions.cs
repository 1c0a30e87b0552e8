using Microsoft.Extensions.Logging;

namespace CompatAI;

/// <summary>Names a provider and the few things needed to talk to it; everything else comes from its catalog profile.</summary>
public sealed class CompatChatClientOptions
{
    /// <summary>Gets or sets the catalog name or alias of the provider, for example <c>groq</c>, <c>grok</c> or <c>custom</c>.</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>Gets or sets the base URL, overriding the profile's. Required for <c>custom</c>. A trailing <c>/chat/completions</c> is accepted.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the API key. When <see langword="null"/>, the profile's environment variable is read.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets a delegate that returns a bearer token for each request attempt, for providers that take tokens
    /// rather than (or besides) keys: Microsoft Entra ID for Azure OpenAI / Foundry, Google access tokens for Vertex AI.
    /// When set, it is used instead of <see cref="ApiKey"/> and sent as <c>Authorization: Bearer</c>; the delegate caches
    /// and refreshes tokens (with Azure.Identity:
    /// <c>async ct =&gt; (await credential.GetTokenAsync(new(["https://cognitiveservices.azure.com/.default"]), ct)).Token</c>).
    /// Only the async chat methods can ask it.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? TokenProvider { get; set; }

    /// <summary>Gets or sets the default model id; when <see langword="null"/>, the profile's default model.</summary>
    public string? Model { get; set; }

    /// <summary>Gets extra headers sent on every request, added to the profile's own.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the time one HTTP attempt may take (until the response headers, and between two reads of a stream). Default: 100 seconds.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets how failed HTTP attempts are retried. Default: <see cref="RetryOptions"/> defaults.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Gets or sets the catalog the provider is looked up in. Default: <see cref="ProviderCatalog.Default"/>.</summary>
    public ProviderCatalog? Catalog { get; set; }

    /// <summary>Gets or sets the <see cref="System.Net.Http.HttpClient"/> to send requests with; when <see langword="null"/> a shared one is used.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets the parameter sanitizer's options.</summary>
    public ParameterSanitizingOptions ParameterSanitizer { get; set; } = new();

    /// <summary>Gets or sets the reasoning extractor's options.</summary>
    public ReasoningExtractionOptions Reasoning { get; set; } = new();

    /// <summary>
    /// Gets or sets the system-merge shim's options. When <see langword="null"/> (the default), the shim is added only for
    /// providers whose rules restrict the system role or demand alternating turns.
    /// </summary>
    public SystemMergingOptions? SystemMerge { get; set; }

    /// <summary>Gets or sets the logger factory of CompatAI's middleware; when <see langword="null"/>, the one the builder's services supply, if any.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
