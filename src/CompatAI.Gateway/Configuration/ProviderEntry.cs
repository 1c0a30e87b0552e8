namespace CompatAI.Gateway.Configuration;

/// <summary>
/// The gateway-only keys of a <c>CompatAI:Providers:&lt;name&gt;</c> entry. Everything else in the entry (Provider,
/// Endpoint, ApiKey, Model, Headers, Timeout, Retry, ParameterSanitizer, Reasoning, SystemMerge) is the library's
/// <see cref="CompatProviderConfiguration"/>, read exactly as <c>AddCompatChatClient</c> reads it; the library ignores these keys.
/// </summary>
public sealed class ProviderEntry
{
    /// <summary>Gets or sets the model ids listed in <c>/v1/models</c> besides the entry's <c>Model</c>.</summary>
    public IList<string> Models { get; set; } = [];

    /// <summary>Gets or sets whether <c>/v1/models</c> also asks the provider for its own list (cached). Default: <see langword="true"/>.</summary>
    public bool ListUpstreamModels { get; set; } = true;
}
