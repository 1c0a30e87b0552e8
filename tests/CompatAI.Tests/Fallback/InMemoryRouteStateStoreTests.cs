using CompatAI;

namespace CompatAI.Tests.Fallback;

public sealed class InMemoryRouteStateStoreTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Nothing_is_known_of_an_unreported_route()
    {
        Assert.Equal(default, new InMemoryRouteStateStore().GetState("groq/llama"));
    }

    [Fact]
    public async Task The_later_cooldown_wins_whatever_the_order_of_reports()
    {
        var store = new InMemoryRouteStateStore();
        await store.ReportCooldownAsync("groq/llama", s_now.AddSeconds(30), s_now);
        await store.ReportCooldownAsync("groq/llama", s_now.AddSeconds(10), s_now);
        Assert.Equal(s_now.AddSeconds(30), store.GetState("groq/llama").CooldownUntil);
        Assert.Null(store.GetState("groq/other").CooldownUntil);
    }

    [Fact]
    public async Task A_close_never_cuts_short_a_break_that_has_not_ended()
    {
        var store = new InMemoryRouteStateStore();
        await store.ReportCircuitOpenedAsync("groq/llama", s_now.AddSeconds(30), s_now);

        await store.ReportCircuitClosedAsync("groq/llama", s_now.AddSeconds(5));
        Assert.Equal(s_now.AddSeconds(30), store.GetState("groq/llama").CircuitOpenUntil);

        await store.ReportCircuitClosedAsync("groq/llama", s_now.AddSeconds(31));
        Assert.Null(store.GetState("groq/llama").CircuitOpenUntil);
    }

    [Fact]
    public async Task One_probe_lease_at_a_time_until_it_expires_or_an_outcome_is_reported()
    {
        var store = new InMemoryRouteStateStore();
        var lease = TimeSpan.FromSeconds(30);
        await store.ReportCircuitOpenedAsync("groq/llama", s_now.AddSeconds(10), s_now);
        var after = s_now.AddSeconds(11);

        Assert.True(await store.TryAcquireProbeAsync("groq/llama", lease, after));
        Assert.False(await store.TryAcquireProbeAsync("groq/llama", lease, after));
        Assert.True(await store.TryAcquireProbeAsync("groq/other", lease, after));

        // The lease expires.
        Assert.True(await store.TryAcquireProbeAsync("groq/llama", lease, after + lease));

        // A failed probe opens the circuit again and releases the lease for the next break.
        await store.ReportCircuitOpenedAsync("groq/llama", after + lease + TimeSpan.FromSeconds(10), after + lease);
        Assert.True(await store.TryAcquireProbeAsync("groq/llama", lease, after + lease + TimeSpan.FromSeconds(11)));
    }

    [Fact]
    public async Task Latency_is_a_decaying_average_where_an_observation_one_half_life_later_counts_half()
    {
        var store = new InMemoryRouteStateStore();
        var halfLife = TimeSpan.FromSeconds(30);
        await store.ReportLatencyAsync("groq/llama", TimeSpan.FromMilliseconds(100), s_now, halfLife);
        Assert.Equal(TimeSpan.FromMilliseconds(100), store.GetState("groq/llama").Latency);

        await store.ReportLatencyAsync("groq/llama", TimeSpan.FromMilliseconds(300), s_now + halfLife, halfLife);
        var state = store.GetState("groq/llama");
        Assert.Equal(200, state.Latency!.Value.TotalMilliseconds, precision: 6);
        Assert.Equal(s_now + halfLife, state.LatencyObservedAt);

        // Observations close together still count 30 %.
        await store.ReportLatencyAsync("groq/llama", TimeSpan.FromMilliseconds(1200), s_now + halfLife, halfLife);
        Assert.Equal(200 + (0.3 * 1000), store.GetState("groq/llama").Latency!.Value.TotalMilliseconds, precision: 6);
    }
}
