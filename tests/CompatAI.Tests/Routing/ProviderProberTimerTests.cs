using System.Text.Json.Nodes;
using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace CompatAI.Tests.Routing;

/// <summary>The prober's rounds on a <see cref="FakeTimeProvider"/>, and the one-token probe against the emulator.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class ProviderProberTimerTests(EmulatorFixture fixture)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private static TaskCompletionSource NextRound(ProviderProber prober)
    {
        var round = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        prober.RoundCompleted = () => round.TrySetResult();
        return round;
    }

    private List<RecordedRequest> RequestsTo(string personality) => [.. fixture.Emulator.Requests.Where(r => r.Personality == personality)];

    [Fact]
    public async Task Advancing_the_clock_runs_a_round_a_failing_probe_ranks_the_candidate_last_and_a_recovery_brings_it_back()
    {
        var clock = new FakeTimeProvider();
        using var router = new RouterChatClient(
            [
                new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini")) { Quality = 0.9 },
                new RouteCandidate(fixture.Pipeline("mistral", "mistral-small-latest")) { Quality = 0.5 },
            ],
            new RouterOptions { Strategy = RoutingStrategy.Quality });
        var openai = new CompatModelClient(new CompatModelClientOptions { Provider = "openai", Endpoint = fixture.Emulator.GetEndpoint("openai"), ApiKey = "emulator-key", Retry = { MaxRetries = 0 } });
        await using var prober = new ProviderProber(
            router,
            new Dictionary<string, Func<CancellationToken, Task>> { ["openai"] = openai.ProbeAsync },
            new ProviderProberOptions { Interval = TimeSpan.FromSeconds(30), Jitter = 0, TimeProvider = clock });
        int listsBefore = RequestsTo("openai").Count(r => r.Method == "GET");

        prober.Start();
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(router.GetHealth()[0].LastProbeAt);
        Assert.Equal(listsBefore, RequestsTo("openai").Count(r => r.Method == "GET"));

        var first = NextRound(prober);
        clock.Advance(TimeSpan.FromSeconds(1));
        await first.Task.WaitAsync(s_wait);
        Assert.Equal(listsBefore + 1, RequestsTo("openai").Count(r => r.Method == "GET" && r.Path.EndsWith("/models", StringComparison.Ordinal)));
        Assert.True(router.GetHealth()[0].LastProbeSucceeded);

        fixture.Emulator.EnqueueFault("openai", EmulatorFault.WithStatus(503));
        var failing = NextRound(prober);
        clock.Advance(TimeSpan.FromSeconds(30));
        await failing.Task.WaitAsync(s_wait);
        var health = router.GetHealth()[0];
        Assert.Equal(ProviderHealthStatus.Unhealthy, health.Status);
        Assert.False(health.LastProbeSucceeded);
        Assert.Contains("503", health.LastProbeError);
        Assert.Equal(["mistral", "openai"], router.Decide([new ChatMessage(ChatRole.User, "who first?")]).Ranked.Select(r => r.Name));
        int openaiChats = RequestsTo("openai").Count(r => r.Method == "POST");
        Assert.Equal("mistral", (await router.GetResponseAsync("openai's probe failed")).AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(openaiChats, RequestsTo("openai").Count(r => r.Method == "POST"));

        var recovery = NextRound(prober);
        clock.Advance(TimeSpan.FromSeconds(30));
        await recovery.Task.WaitAsync(s_wait);
        Assert.True(router.GetHealth()[0].LastProbeSucceeded);
        Assert.Equal("openai", (await router.GetResponseAsync("openai is back")).AdditionalProperties![FallbackChatClient.ProviderKey]);
    }

    [Fact]
    public async Task Every_wait_stays_within_the_interval_plus_or_minus_the_jitter()
    {
        var clock = new FakeTimeProvider();
        using var router = new RouterChatClient([new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini"))]);
        var probedAt = new List<DateTimeOffset>();
        await using var prober = new ProviderProber(
            router,
            new Dictionary<string, Func<CancellationToken, Task>>
            {
                ["openai"] = _ =>
                {
                    probedAt.Add(clock.GetUtcNow());
                    return Task.CompletedTask;
                },
            },
            new ProviderProberOptions { Interval = TimeSpan.FromSeconds(10), Jitter = 0.25, TimeProvider = clock, Random = new Random(20261201) });

        var start = clock.GetUtcNow();
        prober.Start();
        var step = TimeSpan.FromMilliseconds(10);
        while (probedAt.Count < 40)
        {
            clock.Advance(step);
        }

        // The probe completes synchronously, so each round (and the scheduling of the next) happens inside Advance.
        var waits = probedAt.Prepend(start).Zip(probedAt, static (a, b) => b - a).ToList();
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromSeconds(7.5), TimeSpan.FromSeconds(12.5) + step));
        Assert.Contains(waits, w => w < TimeSpan.FromSeconds(9));
        Assert.Contains(waits, w => w > TimeSpan.FromSeconds(11));
    }

    [Fact]
    public async Task A_probe_that_outlasts_the_timeout_on_the_probers_clock_fails()
    {
        var clock = new FakeTimeProvider();
        using var router = new RouterChatClient([new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini"))]);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var prober = new ProviderProber(
            router,
            new Dictionary<string, Func<CancellationToken, Task>>
            {
                ["openai"] = ct =>
                {
                    started.TrySetResult();
                    return Task.Delay(Timeout.Infinite, ct);
                },
            },
            new ProviderProberOptions { Interval = TimeSpan.FromSeconds(30), Jitter = 0, Timeout = TimeSpan.FromSeconds(5), TimeProvider = clock });
        var round = NextRound(prober);

        prober.Start();
        clock.Advance(TimeSpan.FromSeconds(30));
        await started.Task.WaitAsync(s_wait);
        Assert.Null(router.GetHealth()[0].LastProbeAt);
        clock.Advance(TimeSpan.FromSeconds(5));
        await round.Task.WaitAsync(s_wait);

        var health = router.GetHealth()[0];
        Assert.False(health.LastProbeSucceeded);
        Assert.Equal("The probe took longer than 00:00:05.", health.LastProbeError);
    }

    [Fact]
    public async Task The_one_token_probe_sends_one_chat_request_for_one_token_through_the_candidates_pipeline()
    {
        var pipeline = fixture.Pipeline("mistral", "mistral-small-latest");
        int before = RequestsTo("mistral").Count;

        await ProviderProbe.OneTokenAsync(pipeline);

        var sent = Assert.Single(RequestsTo("mistral").Skip(before));
        Assert.Equal("POST", sent.Method);
        Assert.EndsWith("/chat/completions", sent.Path, StringComparison.Ordinal);
        Assert.Equal("Bearer emulator-key", sent.Headers["Authorization"]);
        var body = JsonNode.Parse(sent.Body)!.AsObject();
        Assert.Equal(1, (int)body["max_tokens"]!);
        Assert.Equal("mistral-small-latest", (string?)body["model"]);
        var message = Assert.Single(body["messages"]!.AsArray());
        Assert.Equal("user", (string?)message!["role"]);
        Assert.Equal("ping", (string?)message["content"]);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(500)]
    public async Task The_one_token_probe_fails_on_an_error_status_and_the_prober_records_it(int status)
    {
        var pipeline = fixture.Pipeline("mistral", "mistral-small-latest");
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(status));
        var error = await Assert.ThrowsAsync<ProviderException>(() => ProviderProbe.OneTokenAsync(pipeline));
        Assert.Equal(status, error.StatusCode);

        using var router = new RouterChatClient([new RouteCandidate(pipeline)]);
        await using var prober = new ProviderProber(router, new Dictionary<string, Func<CancellationToken, Task>> { ["mistral"] = ct => ProviderProbe.OneTokenAsync(pipeline, ct) });
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(status));
        await prober.ProbeOnceAsync();
        var health = Assert.Single(router.GetHealth());
        Assert.False(health.LastProbeSucceeded);
        Assert.Equal(ProviderHealthStatus.Unhealthy, health.Status);
        Assert.DoesNotContain("emulator-key", health.LastProbeError, StringComparison.Ordinal);
    }
}
