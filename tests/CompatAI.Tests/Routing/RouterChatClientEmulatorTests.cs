using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Routing;

/// <summary>Each routing strategy over real HTTP: default pipelines against the emulator's personalities on loopback.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class RouterChatClientEmulatorTests(EmulatorFixture fixture)
{
    // Prices of the test's own: mistral is cheapest, then openai, then groq.
    private static readonly PriceTable s_prices = new([
        new ModelPrice { Provider = "mistral", Model = "mistral-small-latest", Input = 1m, Output = 1m },
        new ModelPrice { Provider = "openai", Model = "gpt-4o-mini", Input = 5m, Output = 5m },
        new ModelPrice { Provider = "groq", Model = "llama-3.3-70b-versatile", Input = 10m, Output = 10m },
    ]);

    private int RequestsTo(string personality) => fixture.Emulator.Requests.Count(r => r.Personality == personality);

    private RouteCandidate Candidate(string personality, string model, double quality = 0, double weight = 1) =>
        new(fixture.Pipeline(personality, model)) { Quality = quality, Weight = weight };

    private RouterChatClient Router(RouterOptions options, params RouteCandidate[] candidates)
    {
        options.Prices = s_prices;
        return new RouterChatClient(candidates, options);
    }

    private RouteCandidate[] Three() =>
    [
        Candidate("groq", "llama-3.3-70b-versatile", quality: 0.9, weight: 1),
        Candidate("openai", "gpt-4o-mini", quality: 0.7, weight: 1),
        Candidate("mistral", "mistral-small-latest", quality: 0.5, weight: 1),
    ];

    private static async Task<string> ServedByAsync(IChatClient client, string text = "route me", ChatOptions? options = null)
    {
        var response = await client.GetResponseAsync(text, options);
        if (options?.Tools is not { Count: > 0 })
        {
            Assert.Contains(text, response.Text);
        }

        return (string)response.AdditionalProperties![FallbackChatClient.ProviderKey]!;
    }

    [Fact]
    public async Task Cost_picks_the_cheapest_and_says_why_then_fails_over_and_skips_an_open_circuit()
    {
        var options = new RouterOptions { Strategy = RoutingStrategy.Cost };
        options.Failover.CircuitBreaker.MinimumThroughput = 2;
        using var router = Router(options, Three());

        var response = await router.GetResponseAsync("the cheapest please");
        var tags = response.AdditionalProperties!;
        Assert.Equal("mistral", tags[FallbackChatClient.ProviderKey]);
        Assert.Equal("mistral-small-latest", tags[FallbackChatClient.ModelKey]);
        Assert.Equal("cost", tags[RouterChatClient.StrategyKey]);
        Assert.Equal(1, tags[RouterChatClient.RankKey]);
        var decision = router.Decide([new ChatMessage(ChatRole.User, "the cheapest please")]);
        Assert.Equal(["mistral", "openai", "groq"], decision.Ranked.Select(r => r.Name));
        Assert.Equal(decision.Ranked[0].Score, tags[RouterChatClient.ScoreKey]);
        // The prompt is priced by its size, not its tokens: 3 priming the reply, 3 + "user" (1 token) for the message,
        // and "the cheapest please" as 19 UTF-8 bytes / 4 rounded up (5); the expected output is the default 512.
        double expectedEstimate = (double)((3 + 3 + 1 + 5 + 512) * 1m / 1_000_000m);
        Assert.Equal(expectedEstimate, decision.Ranked[0].Score, 12);

        // The cheapest fails: the request moves down the ranking, with FallbackChatClient's rules.
        int mistralBefore = RequestsTo("mistral"), openaiBefore = RequestsTo("openai");
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(500, null));
        var second = await router.GetResponseAsync("mistral is down");
        Assert.Equal("openai", second.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(2, second.AdditionalProperties[RouterChatClient.RankKey]);
        Assert.Equal(2, second.AdditionalProperties[FallbackChatClient.AttemptsKey]);

        // With one success and one failure in its window (ratio 0.5, throughput 2) mistral's circuit is open: it is
        // ranked last and not called at all.
        Assert.Equal("openai", await ServedByAsync(router, "circuit open now"));
        Assert.Equal(mistralBefore + 1, RequestsTo("mistral"));
        var health = router.GetHealth().Single(h => h.Name == "mistral");
        Assert.Equal(ProviderBreakerState.Open, health.Breaker);
        Assert.Equal(ProviderHealthStatus.Unhealthy, health.Status);

        var open = router.Decide([new ChatMessage(ChatRole.User, "x")]);
        Assert.Equal(["openai", "groq", "mistral"], open.Ranked.Select(r => r.Name));
        Assert.True(open.Ranked[2].CircuitOpen);
        var third = await router.GetResponseAsync("circuit open");
        Assert.Equal("openai", third.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(1, third.AdditionalProperties[RouterChatClient.RankKey]);
        Assert.Equal(mistralBefore + 1, RequestsTo("mistral"));
        Assert.Equal(openaiBefore + 3, RequestsTo("openai"));
    }

    [Fact]
    public async Task Latency_prefers_the_faster_and_switches_when_the_emulators_latency_changes()
    {
        // The clock drives decay and exploration; the latencies are the real calls', made far apart by the emulator's
        // slow-first-byte fault (1.5 s against a plain loopback answer). Only the choices are asserted.
        var clock = new ManualTimeProvider();
        var options = new RouterOptions { Strategy = RoutingStrategy.Latency, ExplorationInterval = TimeSpan.FromMinutes(1) };
        options.Failover.TimeProvider = clock;
        using var router = Router(options, Candidate("mistral", "mistral-small-latest"), Candidate("openai", "gpt-4o-mini"));
        var slow = TimeSpan.FromMilliseconds(1500);

        var served = new List<string>();
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.SlowStart(slow));
        served.Add(await ServedByAsync(router)); // both unmeasured: explored in order, mistral is slow
        clock.Advance(TimeSpan.FromSeconds(1));
        served.Add(await ServedByAsync(router)); // openai still unmeasured: explored
        clock.Advance(TimeSpan.FromSeconds(1));
        served.Add(await ServedByAsync(router)); // openai measured faster
        Assert.Equal(["mistral", "openai", "openai"], served);

        // Now openai turns slow and mistral recovers: after the exploration interval both are tried again.
        clock.Advance(TimeSpan.FromMinutes(2));
        fixture.Emulator.EnqueueFault("openai", EmulatorFault.SlowStart(slow));
        served.Clear();
        served.Add(await ServedByAsync(router)); // both stale: mistral explored first (fast now)
        clock.Advance(TimeSpan.FromSeconds(1));
        served.Add(await ServedByAsync(router)); // openai stale: explored, slow
        clock.Advance(TimeSpan.FromSeconds(1));
        served.Add(await ServedByAsync(router)); // mistral is now the faster
        Assert.Equal(["mistral", "openai", "mistral"], served);

        var health = router.GetHealth();
        Assert.True(health[1].Latency > health[0].Latency, $"openai {health[1].Latency} vs mistral {health[0].Latency}");
        Assert.All(health, h => Assert.Equal(ProviderHealthStatus.Healthy, h.Status));
    }

    [Fact]
    public async Task Quality_picks_the_best_that_can_do_the_job_and_the_filters_read_the_profiles()
    {
        using var router = Router(
            new RouterOptions { Strategy = RoutingStrategy.Quality },
            Candidate("perplexity", "sonar", quality: 0.95),
            Candidate("groq", "openai/gpt-oss-120b", quality: 0.8),
            Candidate("mistral", "mistral-small-latest", quality: 0.5));

        Assert.Equal("perplexity", await ServedByAsync(router));

        // Perplexity's profile lists tools as unsupported: a request with tools skips it.
        var withTools = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => "sunny", "weather")] };
        Assert.Equal("groq", await ServedByAsync(router, "with tools", withTools));
        var decision = router.Decide([new ChatMessage(ChatRole.User, "x")], withTools);
        Assert.Equal("perplexity", Assert.Single(decision.Excluded).Name);
        Assert.Equal("no tools", decision.Excluded[0].Reason);

        // groq's profile records a 131072-token window for this model: more expected output than that skips it.
        var huge = router.Decide([new ChatMessage(ChatRole.User, "x")], new ChatOptions { MaxOutputTokens = 140_000 });
        Assert.Contains(huge.Excluded, e => e.Name == "groq" && e.Reason.StartsWith("context window 131072", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Balanced_follows_its_weights()
    {
        RouterChatClient Make(BalancedWeights weights) => Router(new RouterOptions { Strategy = RoutingStrategy.Balanced, BalancedWeights = weights }, Three());
        using var byCost = Make(new BalancedWeights { Cost = 1, Latency = 0, Quality = 0.1 });
        using var byQuality = Make(new BalancedWeights { Cost = 0.1, Latency = 0, Quality = 1 });

        Assert.Equal("mistral", await ServedByAsync(byCost));
        Assert.Equal("groq", await ServedByAsync(byQuality));

        // Cost 1 (cheapest) x 1 + quality 0.5/0.9 x 0.1, over 1.1.
        var score = byCost.Decide([new ChatMessage(ChatRole.User, "x")]).Ranked[0].Score;
        Assert.Equal((1 + (0.1 * (0.5 / 0.9))) / 1.1, score, 9);
    }

    [Theory]
    [InlineData(0.2, "groq")]
    [InlineData(0.5, "openai")]
    [InlineData(0.9, "mistral")]
    public async Task Weighted_random_draws_in_proportion_to_weight(double draw, string expected)
    {
        // Weights 1, 2, 1 (total 4): a draw of 0.2 lands in [0, 1), 0.5 in [1, 3), 0.9 in [3, 4).
        using var router = Router(
            new RouterOptions { Strategy = RoutingStrategy.WeightedRandom, Random = new FixedRandom(draw) },
            Candidate("groq", "llama-3.3-70b-versatile", weight: 1),
            Candidate("openai", "gpt-4o-mini", weight: 2),
            Candidate("mistral", "mistral-small-latest", weight: 1));

        Assert.Equal(expected, await ServedByAsync(router));
    }

    [Fact]
    public async Task Round_robin_rotates()
    {
        using var router = Router(new RouterOptions { Strategy = RoutingStrategy.RoundRobin }, Three());

        var served = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            served.Add(await ServedByAsync(router));
        }

        Assert.Equal(["groq", "openai", "mistral", "groq"], served);
    }

    [Fact]
    public async Task Custom_scores_with_the_delegate_and_streams_carry_the_decision_on_every_update()
    {
        using var router = Router(
            new RouterOptions { Strategy = RoutingStrategy.Custom, CustomScore = (c, needs) => c.Client.GetService<ChatClientMetadata>()?.DefaultModelId == "gpt-4o-mini" ? 10 : 1 },
            Three());

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in router.GetStreamingResponseAsync("custom stream"))
        {
            updates.Add(update);
        }

        Assert.Contains("custom stream", updates.ToChatResponse().Text);
        Assert.All(updates, u =>
        {
            Assert.Equal("openai", u.AdditionalProperties![FallbackChatClient.ProviderKey]);
            Assert.Equal("custom", u.AdditionalProperties[RouterChatClient.StrategyKey]);
            Assert.Equal(10.0, u.AdditionalProperties[RouterChatClient.ScoreKey]);
        });
    }

    [Fact]
    public async Task A_named_model_goes_to_its_candidate_and_an_unknown_one_fails_with_close_matches_before_sending()
    {
        using var router = Router(new RouterOptions { Strategy = RoutingStrategy.Cost }, Three());

        Assert.Equal("groq", await ServedByAsync(router, "a named model", new ChatOptions { ModelId = "llama-3.3-70b-versatile" }));

        int before = fixture.Emulator.Requests.Count;
        var error = await Assert.ThrowsAsync<ModelNotServedException>(() => router.GetResponseAsync("typo", new ChatOptions { ModelId = "gpt-4o-mni" }));
        Assert.Equal("gpt-4o-mni", error.Model);
        Assert.Equal("gpt-4o-mini", error.CloseMatches[0]);
        Assert.Contains("Did you mean: gpt-4o-mini", error.Message);
        Assert.Equal(before, fixture.Emulator.Requests.Count);
    }

    [Fact]
    public void Bad_candidates_and_options_fail_at_construction()
    {
        Assert.Throws<ArgumentException>(() => new RouterChatClient([]));
        var dup = Assert.Throws<ArgumentException>(() => new RouterChatClient([Candidate("groq", "llama-3.3-70b-versatile"), new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini")) { Name = "groq" }]));
        Assert.Contains("'groq'", dup.Message);
        Assert.Throws<ArgumentException>(() => new RouterChatClient([Candidate("groq", "llama-3.3-70b-versatile")], new RouterOptions { Strategy = RoutingStrategy.Custom }));
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
