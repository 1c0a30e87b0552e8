using System.Collections.Concurrent;

namespace CompatAI.Gateway.Management;

/// <summary>
/// Health from what the gateway observes: a provider skipped by a fallback chain's open circuit breaker is unhealthy
/// until it serves again (after the configured break it is reported as degraded: the next request probes it); one whose
/// tried calls failed at least half the time over the last minute (at least 4 calls) is degraded; otherwise healthy.
/// </summary>
internal sealed class ObservedProviderHealth : IProviderHealthSource
{
    private const int MinimumCalls = 4;
    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.OrdinalIgnoreCase);
    private readonly ProviderStatsStore _stats;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _breakDuration;

    public ObservedProviderHealth(ProviderStatsStore stats, TimeProvider time, TimeSpan? breakDuration)
    {
        _stats = stats;
        _time = time;
        _breakDuration = breakDuration;
    }

    public void OnAttempt(string provider, string outcome)
    {
        var state = _states.GetOrAdd(provider, static _ => new State());
        var now = _time.GetUtcNow();
        lock (state)
        {
            if (outcome == GatewayMetrics.Success)
            {
                state.LastSuccess = now;
            }
            else if (outcome == GatewayMetrics.CircuitOpen)
            {
                if (state.Breaker != "open")
                {
                    state.BreakerOpenedAt = now;
                }

                state.Breaker = "open";
            }
            else
            {
                state.LastFailure = now;
                state.LastFailureKind = outcome;
            }
        }
    }

    /// <summary>A fallback chain's member answered through its breaker: the breaker is closed (or just closed again).</summary>
    public void OnChainSuccess(string provider)
    {
        var state = _states.GetOrAdd(provider, static _ => new State());
        lock (state)
        {
            state.Breaker = "closed";
            state.BreakerOpenedAt = null;
        }
    }

    public ProviderHealthSnapshot GetHealth(string provider)
    {
        var now = _time.GetUtcNow();
        string? breaker = null;
        DateTimeOffset? openedAt = null, lastSuccess = null, lastFailure = null;
        string? lastKind = null;
        if (_states.TryGetValue(provider, out var state))
        {
            lock (state)
            {
                (breaker, openedAt, lastSuccess, lastFailure, lastKind) = (state.Breaker, state.BreakerOpenedAt, state.LastSuccess, state.LastFailure, state.LastFailureKind);
            }
        }

        if (breaker == "open")
        {
            if (_breakDuration is { } pause && openedAt is { } opened && now >= opened + pause)
            {
                return new(ProviderHealthSnapshot.Degraded, "half_open", $"circuit breaker opened at {opened:HH:mm:ss} UTC; its break is over, so the next request probes the provider", lastSuccess, lastFailure, null);
            }

            return new(ProviderHealthSnapshot.Unhealthy, breaker, $"circuit breaker open since {openedAt:HH:mm:ss} UTC after repeated failures (last: {lastKind ?? "unknown"}); fallback chains skip it", lastSuccess, lastFailure, null);
        }

        var minute = _stats.Window(4, provider);
        if (minute.Successes + minute.Failures >= MinimumCalls && minute.SuccessRate < 0.5)
        {
            return new(ProviderHealthSnapshot.Degraded, breaker, $"{minute.Failures} of {minute.Successes + minute.Failures} calls in the last minute failed (last: {lastKind})", lastSuccess, lastFailure, null);
        }

        var reason = lastSuccess is null && lastFailure is null ? "no calls observed yet" : "serving; no repeated failures";
        return new(ProviderHealthSnapshot.Healthy, breaker, reason, lastSuccess, lastFailure, null);
    }

    private sealed class State
    {
        public string? Breaker;
        public DateTimeOffset? BreakerOpenedAt;
        public DateTimeOffset? LastSuccess;
        public DateTimeOffset? LastFailure;
        public string? LastFailureKind;
    }
}
