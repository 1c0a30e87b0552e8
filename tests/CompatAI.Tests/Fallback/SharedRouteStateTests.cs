using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Fallback;

/// <summary>
/// Two fallback chains (or routers) stand for two processes sharing one <see cref="IRouteStateStore"/>; the providers are
/// the emulator's personalities over real HTTP on loopback, so "skipped" is checked on what the upstream received.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class SharedRouteStateTests(EmulatorFixture fixture)
{
    private const string MistralModel = "mistral-small-latest";
    private const string MistralKey = "mistral/" + MistralModel;

    private int RequestsTo(string personality) => fixture.Emulator.Requests.Count(r => r.Personality == personality);

    private IChatClient[] Chain(GatedChatClient? gate = null)
    {
        var mistral = fixture.Pipeline("mistral", MistralModel);
        return [gate is null ? mistral : gate.Wrap(mistral), fixture.Pipeline("openai", "gpt-4o-mini")];
    }

    private static FallbackOptions Shared(IRouteStateStore? store, TimeProvider? time = null) => new()
    {
        StateStore = store,
        TimeProvider = time ?? TimeProvider.System,
        CircuitBreaker = { MinimumThroughput = 2, FailureRatio = 0.5, BreakDuration = TimeSpan.FromSeconds(10) },
    };

    [Fact]
    public async Task A_retry_after_seen_by_one_client_makes_the_other_skip_that_provider_without_calling_it()
    {
        var store = new InMemoryRouteStateStore();
        using var a = new FallbackChatClient(Chain(), Shared(store));
        using var b = new FallbackChatClient(Chain(), Shared(store));
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(20)));
        int mistral = RequestsTo("mistral"), openai = RequestsTo("openai");

        var first = await a.GetResponseAsync("rate limited on a");
        Assert.Equal("openai", first.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(mistral + 1, RequestsTo("mistral"));
        Assert.NotNull(store.GetState(MistralKey).CooldownUntil);

        var second = await b.GetResponseAsync("b has never seen mistral fail");

        Assert.Equal("openai", second.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(1, second.AdditionalProperties[FallbackChatClient.AttemptsKey]);
        Assert.Equal(mistral + 1, RequestsTo("mistral"));
        Assert.Equal(openai + 2, RequestsTo("openai"));
    }

    [Fact]
    public async Task Without_a_store_the_other_client_still_calls_the_provider_as_before()
    {
        using var a = new FallbackChatClient(Chain(), Shared(store: null));
        using var b = new FallbackChatClient(Chain(), Shared(store: null));
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(20)));
        int mistral = RequestsTo("mistral");

        await a.GetResponseAsync("rate limited on a");
        var second = await b.GetResponseAsync("b calls mistral itself");

        Assert.Equal("mistral", second.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(mistral + 2, RequestsTo("mistral"));
    }

    [Fact]
    public async Task A_circuit_opened_by_one_client_is_skipped_by_the_other_until_the_break_ends_then_one_caller_probes()
    {
        var store = new InMemoryRouteStateStore();
        var time = new ManualTimeProvider();
        var gate = new GatedChatClient();
        using var a = new FallbackChatClient(Chain(gate), Shared(store, time));
        using var b = new FallbackChatClient(Chain(gate), Shared(store, time));
        gate.Open();
        fixture.Emulator.EnqueueFault("mistral", new EmulatorFault { StatusCode = 503, Times = 2 });
        int mistral = RequestsTo("mistral");

        // Two 503s open a's breaker (2 calls, ratio 0.5), which reports the break to the store.
        await a.GetResponseAsync("first failure");
        await a.GetResponseAsync("second failure");
        Assert.Equal(mistral + 2, RequestsTo("mistral"));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(10), store.GetState(MistralKey).CircuitOpenUntil);

        // b's own breaker is closed, but it honours the shared circuit: mistral is not called.
        var skipped = await b.GetResponseAsync("b during the break");
        Assert.Equal("openai", skipped.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(mistral + 2, RequestsTo("mistral"));

        // After the break, a wins the probe lease and its call is held at the gate; b, meanwhile, keeps skipping mistral.
        time.Advance(TimeSpan.FromSeconds(11));
        gate.Close();
        var probe = a.GetResponseAsync("a probes");
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var whileProbing = await b.GetResponseAsync("b while a probes").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("openai", whileProbing.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(1, gate.Calls);

        gate.Open();
        Assert.Equal("mistral", (await probe).AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(mistral + 3, RequestsTo("mistral"));

        // The probe succeeded: the shared circuit is closed and b uses mistral again.
        Assert.Null(store.GetState(MistralKey).CircuitOpenUntil);
        var after = await b.GetResponseAsync("b after the probe");
        Assert.Equal("mistral", after.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(mistral + 4, RequestsTo("mistral"));
    }

    [Fact]
    public async Task A_failed_probe_by_the_other_client_opens_the_shared_circuit_again()
    {
        var store = new InMemoryRouteStateStore();
        var time = new ManualTimeProvider();
        using var a = new FallbackChatClient(Chain(), Shared(store, time));
        using var b = new FallbackChatClient(Chain(), Shared(store, time));
        fixture.Emulator.EnqueueFault("mistral", new EmulatorFault { StatusCode = 503, Times = 3 });
        int mistral = RequestsTo("mistral");
        await a.GetResponseAsync("first failure");
        await a.GetResponseAsync("second failure");

        // b probes after the break (its own breaker is closed, so only the lease lets it through) and fails.
        time.Advance(TimeSpan.FromSeconds(11));
        var probed = await b.GetResponseAsync("b probes and fails");
        Assert.Equal(mistral + 3, RequestsTo("mistral"));
        Assert.Equal(2, probed.AdditionalProperties![FallbackChatClient.AttemptsKey]);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(10), store.GetState(MistralKey).CircuitOpenUntil);

        // Open again for everyone: neither client calls mistral.
        await a.GetResponseAsync("a after the failed probe");
        await b.GetResponseAsync("b after the failed probe");
        Assert.Equal(mistral + 3, RequestsTo("mistral"));
    }

    [Fact]
    public async Task A_router_publishes_its_latency_observations_to_the_store()
    {
        var store = new InMemoryRouteStateStore();
        var options = new RouterOptions { Strategy = RoutingStrategy.Latency, Failover = { StateStore = store } };
        using var router = new RouterChatClient([new RouteCandidate(fixture.Pipeline("mistral", MistralModel)), new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini"))], options);

        var served = await router.GetResponseAsync("measure me");

        // Neither was observed, so the first given is tried first (exploration); only what was called is reported.
        Assert.Equal("mistral", served.AdditionalProperties![RouterChatClient.CandidateKey]);
        Assert.NotNull(store.GetState(MistralKey).Latency);
        Assert.Null(store.GetState("openai/gpt-4o-mini").Latency);
    }

    [Fact]
    public async Task A_router_ranks_by_the_latency_other_processes_reported()
    {
        var store = new InMemoryRouteStateStore();
        var options = new RouterOptions { Strategy = RoutingStrategy.Latency, Failover = { StateStore = store } };
        using var router = new RouterChatClient([new RouteCandidate(fixture.Pipeline("mistral", MistralModel)), new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini"))], options);
        var now = TimeProvider.System.GetUtcNow();
        await store.ReportLatencyAsync(MistralKey, TimeSpan.FromSeconds(20), now, options.LatencyHalfLife);
        await store.ReportLatencyAsync("openai/gpt-4o-mini", TimeSpan.FromMilliseconds(200), now, options.LatencyHalfLife);
        int mistral = RequestsTo("mistral");

        var decision = router.Decide([new ChatMessage(ChatRole.User, "hi")]);
        var response = await router.GetResponseAsync("route me");

        Assert.Equal(["openai", "mistral"], decision.Ranked.Select(static r => r.Name));
        Assert.Equal("openai", response.AdditionalProperties![RouterChatClient.CandidateKey]);
        Assert.Equal(mistral, RequestsTo("mistral"));
        Assert.Equal(TimeSpan.FromSeconds(20), router.GetHealth().Single(static h => h.Name == "mistral").Latency);
    }

    [Fact]
    public async Task A_router_skips_a_candidate_whose_circuit_another_process_opened_and_reports_it_open()
    {
        var store = new InMemoryRouteStateStore();
        var options = new RouterOptions { Strategy = RoutingStrategy.Quality, Failover = { StateStore = store } };
        using var router = new RouterChatClient(
            [new RouteCandidate(fixture.Pipeline("mistral", MistralModel)) { Quality = 2 }, new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini")) { Quality = 1 }],
            options);
        var now = TimeProvider.System.GetUtcNow();
        await store.ReportCircuitOpenedAsync(MistralKey, now + TimeSpan.FromMinutes(1), now);
        int mistral = RequestsTo("mistral");

        var response = await router.GetResponseAsync("route me");

        Assert.Equal("openai", response.AdditionalProperties![RouterChatClient.CandidateKey]);
        Assert.Equal(mistral, RequestsTo("mistral"));
        var health = router.GetHealth().Single(static h => h.Name == "mistral");
        Assert.Equal(ProviderBreakerState.Open, health.Breaker);
        Assert.Equal(ProviderHealthStatus.Unhealthy, health.Status);
    }

    /// <summary>Holds calls to the wrapped client while closed, and counts them; every wrapper made by <see cref="Wrap"/> shares the gate.</summary>
    private sealed class GatedChatClient
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public Task Entered => _entered.Task;

        public int Calls => Volatile.Read(ref _calls);

        public void Open() => _open.TrySetResult();

        public void Close() => _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IChatClient Wrap(IChatClient inner) => new Wrapper(inner, this);

        private sealed class Wrapper(IChatClient inner, GatedChatClient gate) : DelegatingChatClient(inner)
        {
            public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            {
                var open = gate._open.Task;
                if (!open.IsCompleted)
                {
                    Interlocked.Increment(ref gate._calls);
                    gate._entered.TrySetResult();
                }

                await open.WaitAsync(cancellationToken);
                return await base.GetResponseAsync(messages, options, cancellationToken);
            }
        }
    }
}
