using CompatAI.Gateway.Configuration;
using CompatAI.Providers;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Providers;

/// <summary>The one place the gateway builds CompatAI clients from configuration.</summary>
internal sealed class CompatProviderClientFactory : IProviderClientFactory
{
    private readonly UpstreamHttpClient _http;

    public CompatProviderClientFactory(UpstreamHttpClient http)
    {
        _http = http;
    }

    public IChatClient Create(string name, ProviderEntry entry, string? apiKey)
    {
        var provider = string.IsNullOrWhiteSpace(entry.Provider) ? name : entry.Provider;
        var http11 = ProviderCatalog.Default.TryGet(provider, out var profile) && profile.ForceHttp11;
        var options = new CompatChatClientOptions
        {
            Provider = provider,
            Endpoint = entry.Endpoint,
            ApiKey = apiKey,
            Model = entry.Model,
            Timeout = entry.Timeout,
            Retry = entry.Retry,
            HttpClient = http11 ? _http.Http11Client : _http.Client,
        };
        foreach (var (header, value) in entry.Headers)
        {
            options.Headers[header] = value;
        }

        return CreateClient(options);
    }

    private static IChatClient CreateClient(CompatChatClientOptions options) => CompatChatClient.Create(options);
}
