using CompatAI.Gateway.Configuration;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Providers;

/// <summary>The one place the gateway builds CompatAI clients from configuration.</summary>
internal sealed class CompatProviderClientFactory : IProviderClientFactory
{
    private readonly HttpClient _httpClient;

    public CompatProviderClientFactory(UpstreamHttpClient httpClient)
    {
        _httpClient = httpClient.Client;
    }

    public IChatClient Create(string name, ProviderEntry entry, string? apiKey)
    {
        var options = new CompatChatClientOptions
        {
            Provider = string.IsNullOrWhiteSpace(entry.Provider) ? name : entry.Provider,
            Endpoint = entry.Endpoint,
            ApiKey = apiKey,
            Model = entry.Model,
            Timeout = entry.Timeout,
            Retry = entry.Retry,
            HttpClient = _httpClient,
        };
        foreach (var (header, value) in entry.Headers)
        {
            options.Headers[header] = value;
        }

        return CreateClient(options);
    }

    private static IChatClient CreateClient(CompatChatClientOptions options) => CompatChatClient.Create(options);
}
