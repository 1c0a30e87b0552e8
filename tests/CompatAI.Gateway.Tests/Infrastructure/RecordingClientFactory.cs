using System.Collections.Concurrent;
using CompatAI.Gateway.Providers;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>Replaces the CompatAI client factory: records each build and returns a client that calls the entry's endpoint over the gateway's upstream HttpClient.</summary>
internal sealed class RecordingClientFactory(UpstreamHttpClient http) : IProviderClientFactory
{
    public ConcurrentQueue<(string Name, string? ApiKey)> Builds { get; } = new();

    public IChatClient Create(string name, CompatChatClientOptions options)
    {
        Builds.Enqueue((name, options.ApiKey));
        return new HttpCallingChatClient(http.Client, options.Endpoint ?? new Uri("http://127.0.0.1:9/"), options.ApiKey);
    }
}
