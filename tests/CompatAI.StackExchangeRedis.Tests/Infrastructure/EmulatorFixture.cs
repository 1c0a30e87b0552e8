using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.StackExchangeRedis.Tests.Infrastructure;

/// <summary>One provider emulator (real Kestrel on loopback) for a test class.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string Personality = "mistral";

    public const string Model = "mistral-small-latest";

    public ProviderEmulator Emulator { get; private set; } = null!;

    /// <summary>Gets how many requests reached the emulator's <see cref="Personality"/> so far.</summary>
    public int Upstream => Emulator.Requests.Count(r => r.Personality == Personality);

    public async Task InitializeAsync() => Emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1" });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();

    public CompatChatClientOptions Options() => new()
    {
        Provider = Personality,
        Endpoint = Emulator.GetEndpoint(Personality),
        ApiKey = "emulator-key",
        Model = Model,
        Retry = { MaxRetries = 0 },
    };

    /// <summary>The provider's default pipeline, as <see cref="CompatChatClient.Create"/> builds it.</summary>
    public IChatClient Pipeline() => CompatChatClient.Create(Options());
}
