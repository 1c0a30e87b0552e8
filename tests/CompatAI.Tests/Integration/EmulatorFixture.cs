using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Integration;

/// <summary>One emulator (real Kestrel on loopback) shared by the middleware integration tests.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public ProviderEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync() => Emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1" });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();

    /// <summary>
    /// The <c>CompatAI:Providers:&lt;key&gt;</c> settings of a provider served by the personality of the same name as its
    /// catalog profile: endpoint, key, model and no retries, plus <c>Provider</c> when <paramref name="key"/> is not the
    /// profile's name (a second account, or a key the router names differently).
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> ProviderSettings(string key, string personality, string model)
    {
        var prefix = $"CompatAI:Providers:{key}:";
        if (!string.Equals(key, personality, StringComparison.Ordinal))
        {
            yield return new(prefix + "Provider", personality);
        }

        yield return new(prefix + "Endpoint", Emulator.GetEndpoint(personality).ToString());
        yield return new(prefix + "ApiKey", "emulator-key");
        yield return new(prefix + "Model", model);
        yield return new(prefix + "Retry:MaxRetries", "0");
    }

    /// <summary>The bare adapter for a personality (which is also the catalog provider of the same name).</summary>
    public OpenAICompatibleChatClient Adapter(string personality, string model) => new(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    /// <summary>The provider's default pipeline, exactly as <see cref="CompatChatClient.Create"/> builds it.</summary>
    public IChatClient Pipeline(string personality, string model) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    });
}

[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "Middleware emulator";
}
