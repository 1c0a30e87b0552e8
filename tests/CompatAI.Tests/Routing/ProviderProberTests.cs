using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Routing;

/// <summary>Active probes (<c>GET /models</c> through the SDK) against the emulator: a failing probe takes a candidate out of the ranking.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class ProviderProberTests(EmulatorFixture fixture)
{
    private CompatModelClient Models(string personality) => new(new CompatModelClientOptions
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Retry = { MaxRetries = 0 },
    });

    [Fact]
    public async Task A_failing_probe_ranks_the_candidate_last_until_a_probe_succeeds_again()
    {
        using var router = new RouterChatClient(
            [
                new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini")) { Quality = 0.9 },
                new RouteCandidate(fixture.Pipeline("mistral", "mistral-small-latest")) { Quality = 0.5 },
            ],
            new RouterOptions { Strategy = RoutingStrategy.Quality });
        var openaiModels = Models("openai");
        var mistralModels = Models("mistral");
        await using var prober = new ProviderProber(router, new Dictionary<string, Func<CancellationToken, Task>>
        {
            ["openai"] = openaiModels.ProbeAsync,
            ["mistral"] = mistralModels.ProbeAsync,
        });

        await prober.ProbeOnceAsync();
        Assert.All(router.GetHealth(), h => Assert.True(h.LastProbeSucceeded));

        fixture.Emulator.EnqueueFault("openai", EmulatorFault.WithStatus(503));
        await prober.ProbeOnceAsync();
        var openai = router.GetHealth().Single(h => h.Name == "openai");
        Assert.False(openai.LastProbeSucceeded);
        Assert.Equal(ProviderHealthStatus.Unhealthy, openai.Status);
        Assert.NotNull(openai.LastProbeError);

        // Quality prefers openai, but its probe failed: the request goes to mistral and openai sees no chat request.
        int openaiChats = fixture.Emulator.Requests.Count(r => r.Personality == "openai" && r.Method == "POST");
        var response = await router.GetResponseAsync("probe says no");
        Assert.Equal("mistral", response.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(openaiChats, fixture.Emulator.Requests.Count(r => r.Personality == "openai" && r.Method == "POST"));

        await prober.ProbeOnceAsync();
        Assert.Equal("openai", (await router.GetResponseAsync("probe says yes")).AdditionalProperties![FallbackChatClient.ProviderKey]);
    }

    [Fact]
    public void A_probe_for_an_unknown_candidate_is_refused()
    {
        using var router = new RouterChatClient([new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini"))]);
        var error = Assert.Throws<ArgumentException>(() => new ProviderProber(router, new Dictionary<string, Func<CancellationToken, Task>> { ["groq"] = _ => Task.CompletedTask }));
        Assert.Contains("'groq'", error.Message);
    }
}
