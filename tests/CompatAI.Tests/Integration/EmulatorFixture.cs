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
