using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Providers;

/// <summary>The one place the gateway builds CompatAI clients: <see cref="CompatChatClient.CreateBuilder"/> over the shared upstream <see cref="HttpClient"/>.</summary>
internal sealed class CompatProviderClientFactory : IProviderClientFactory
{
    private readonly UpstreamHttpClient _http;
    private readonly IServiceProvider _services;

    public CompatProviderClientFactory(UpstreamHttpClient http, IServiceProvider services)
    {
        _http = http;
        _services = services;
    }

    public IChatClient Create(string name, CompatChatClientOptions options)
    {
        // Everything provider-specific (endpoint normalization, auth style, HTTP version, headers) happens inside the
        // library; the gateway only supplies the pooled HttpClient that forwards allow-listed inbound headers.
        options.HttpClient = _http.Client;
        return CompatChatClient.CreateBuilder(options).Build(_services);
    }
}
