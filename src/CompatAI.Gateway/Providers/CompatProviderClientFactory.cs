using CompatAI.Gateway.Configuration;
using CompatAI;
using Microsoft.Extensions.Configuration;
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
        var options = new CompatChatClientOptions();

        // Bind the whole entry onto the options, so settings CompatChatClientOptions gains later (middleware options,
        // say) work from CompatAI:Providers:<name> without a gateway change. Gateway-only keys are ignored.
        if (entry.Section is { } section)
        {
            section.Bind(options);
        }
        else
        {
            options.Endpoint = entry.Endpoint;
            options.Model = entry.Model;
            options.Timeout = entry.Timeout;
            options.Retry = entry.Retry;
            foreach (var (header, value) in entry.Headers)
            {
                options.Headers[header] = value;
            }
        }

        options.Provider = provider;
        options.ApiKey = apiKey;
        options.HttpClient = http11 ? _http.Http11Client : _http.Client;
        return CreateClient(options);
    }

    private static IChatClient CreateClient(CompatChatClientOptions options) => CompatChatClient.Create(options);
}
