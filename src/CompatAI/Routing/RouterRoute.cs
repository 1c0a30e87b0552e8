using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// One candidate of a <see cref="RouterChatClient"/> and what is known about it across requests: its failover route
/// (circuit breaker, cooldown), capabilities and price, and the observed latency and error rate (decaying averages). With a
/// <see cref="FallbackOptions.StateStore"/>, latency observations are also reported to it, and its shared average is used
/// when it has one.
/// </summary>
internal sealed class RouterRoute
{
    private readonly Lock _gate = new();
    private readonly IRouteStateStore? _store;
    private readonly TimeSpan _halfLife;
    private readonly TimeProvider _timeProvider;
    private readonly double _halfLifeTicks;
    private double _latencyMs = double.NaN;
    private double _errorRate;
    private long _observations;
    private long _lastObservedTicks;
    private ProbeResult? _probe;

    public RouterRoute(RouteCandidate candidate, int index, string name, RouterOptions options)
    {
        Candidate = candidate;
        Index = index;
        var metadata = candidate.Client.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        var profile = candidate.Client.GetService(typeof(ProviderProfile)) as ProviderProfile;
        if (candidate.Provider is not null)
        {
            profile = options.Catalog.TryGet(candidate.Provider, out var named) ? named : profile;
        }

        Provider = candidate.Provider ?? profile?.Name ?? metadata?.ProviderName;
        Model = candidate.Model ?? metadata?.DefaultModelId;
        Capabilities = (profile is null ? new ModelCapabilities() : ModelCapabilities.From(profile, Model)).Merge(candidate.Capabilities);
        Price = options.Prices.TryGet(Provider, Model, out var price) ? price : null;
        Failover = new FallbackRoute(candidate.Client, index, options.Failover, name);
        _halfLifeTicks = options.LatencyHalfLife.Ticks;
        _halfLife = options.LatencyHalfLife;
        _store = options.Failover.StateStore;
        _timeProvider = options.Failover.TimeProvider;
    }

    public RouteCandidate Candidate { get; }

    public int Index { get; }

    public string Name => Failover.Name;

    public string? Provider { get; }

    public string? Model { get; }

    public ModelCapabilities Capabilities { get; }

    public ModelPrice? Price { get; }

    public FallbackRoute Failover { get; }

    /// <summary>Gets whether the circuit is open: this router's breaker, or the shared circuit (see <see cref="FallbackOptions.StateStore"/>) before its break ends.</summary>
    public bool CircuitOpen => Failover.BreakerState?.CircuitState is Polly.CircuitBreaker.CircuitState.Open or Polly.CircuitBreaker.CircuitState.Isolated
        || Failover.SharedCircuit(_timeProvider.GetUtcNow()) == Polly.CircuitBreaker.CircuitState.Open;

    /// <summary>Gets whether the last active probe failed.</summary>
    public bool ProbeFailing => Volatile.Read(ref _probe) is { Succeeded: false };

    /// <summary>Gets whether the candidate is skipped: its circuit is open or its last probe failed.</summary>
    public bool Unavailable => CircuitOpen || ProbeFailing;

    /// <summary>Records the outcome of an active probe.</summary>
    public void RecordProbe(DateTimeOffset at, bool succeeded, string? error) => Volatile.Write(ref _probe, new ProbeResult(at, succeeded, error));

    /// <summary>Returns what this candidate lacks to serve <paramref name="needs"/>, or <see cref="Lack.None"/> when it can (unknown capabilities count as able).</summary>
    public Lack Lacks(ref RouteNeeds needs)
    {
        var c = Capabilities;
        if (needs.Model is not null && !string.Equals(needs.Model, Model, StringComparison.OrdinalIgnoreCase))
        {
            return Lack.Model;
        }

        if (needs.Tools && c.Tools == false)
        {
            return Lack.Tools;
        }

        if (needs.Vision && c.Vision == false)
        {
            return Lack.Vision;
        }

        if (needs.JsonSchema && c.JsonSchema == false)
        {
            return Lack.JsonSchema;
        }

        if (needs.Json && needs.Tools && c.JsonWithTools == false)
        {
            return Lack.JsonWithTools;
        }

        if (needs.Reasoning && c.Reasoning == false)
        {
            return Lack.Reasoning;
        }

        // The prompt's UTF-8 size usually shows that it fits; it is tokenized only when that bound does not fit.
        if (c.ContextWindow is { } window && !needs.Fits(window))
        {
            return Lack.ContextWindow;
        }

        return Lack.None;
    }

    /// <summary>Returns the reason for <paramref name="lack"/>, as <see cref="ExcludedCandidate.Reason"/> states it.</summary>
    public string Reason(Lack lack, ref RouteNeeds needs) => lack switch
    {
        Lack.Model => $"serves '{Model}', not '{needs.Model}'",
        Lack.Tools => "no tools",
        Lack.Vision => "no image input",
        Lack.JsonSchema => "no JSON schema",
        Lack.JsonWithTools => "no JSON mode with tools",
        Lack.Reasoning => "no reasoning effort",
        Lack.ContextWindow => $"context window {Capabilities.ContextWindow} < {needs.PromptTokens() + needs.ExpectedOutputTokens} (prompt + expected output)",
        _ => throw new ArgumentOutOfRangeException(nameof(lack), lack, "The candidate lacks nothing."),
    };

    /// <summary>Returns the estimated cost of <paramref name="needs"/> here (prompt by <see cref="RouteNeeds.PricedPromptTokens"/>), or <see langword="null"/> without a price.</summary>
    public decimal? EstimateCost(ref RouteNeeds needs) => Price is { } price ? price.CostOf(needs.PricedPromptTokens(), 0, needs.ExpectedOutputTokens) : null;

    /// <summary>
    /// Returns the average latency in milliseconds (the shared one when the store has one), or <see langword="null"/> when
    /// there is none or it is older than <paramref name="exploreAfter"/>.
    /// </summary>
    public double? LatencyMs(long nowTicks, TimeSpan? exploreAfter)
    {
        if (_store?.GetState(Failover.Key) is { Latency: { } shared, LatencyObservedAt: { } at })
        {
            return exploreAfter is { } explore && nowTicks - at.UtcTicks >= explore.Ticks ? null : shared.TotalMilliseconds;
        }

        lock (_gate)
        {
            if (double.IsNaN(_latencyMs) || (exploreAfter is { } after && nowTicks - _lastObservedTicks >= after.Ticks))
            {
                return null;
            }

            return _latencyMs;
        }
    }

    /// <summary>Records one call's outcome: its latency (for a success) and whether it failed against the provider's health.</summary>
    public void Observe(long nowTicks, TimeSpan? latency, bool failed)
    {
        if (latency is { } observed && _store is not null)
        {
            Failover.ShareLatency(_store, observed, new DateTimeOffset(nowTicks, TimeSpan.Zero), _halfLife);
        }

        lock (_gate)
        {
            double weight = _observations == 0 ? 1 : LatencyAverage.Weight(nowTicks - _lastObservedTicks, _halfLifeTicks);
            if (latency is { } l)
            {
                _latencyMs = LatencyAverage.Next(_latencyMs, l.TotalMilliseconds, weight);
            }

            _errorRate += weight * ((failed ? 1 : 0) - _errorRate);
            _observations++;
            _lastObservedTicks = nowTicks;
        }
    }

    /// <summary>Returns the health snapshot.</summary>
    public ProviderHealth Health(DateTimeOffset now)
    {
        double latency, errorRate;
        long observations, last;
        lock (_gate)
        {
            (latency, errorRate, observations, last) = (_latencyMs, _errorRate, _observations, _lastObservedTicks);
        }

        var local = Failover.BreakerState?.CircuitState;
        var breaker = (local == Polly.CircuitBreaker.CircuitState.Closed ? Failover.SharedCircuit(now) ?? local : local) switch
        {
            null => ProviderBreakerState.Disabled,
            Polly.CircuitBreaker.CircuitState.Closed => ProviderBreakerState.Closed,
            Polly.CircuitBreaker.CircuitState.HalfOpen => ProviderBreakerState.HalfOpen,
            _ => ProviderBreakerState.Open,
        };
        if (_store?.GetState(Failover.Key).Latency is { } sharedLatency)
        {
            latency = sharedLatency.TotalMilliseconds;
        }

        var probe = Volatile.Read(ref _probe);
        var cooldown = Failover.CooldownAt(now);
        var status = breaker == ProviderBreakerState.Open || probe is { Succeeded: false } ? ProviderHealthStatus.Unhealthy
            : breaker == ProviderBreakerState.HalfOpen || cooldown is not null || (observations > 0 && errorRate >= 0.5) ? ProviderHealthStatus.Degraded
            : observations == 0 ? ProviderHealthStatus.Unknown
            : ProviderHealthStatus.Healthy;
        return new ProviderHealth(
            Name,
            Provider,
            Model,
            status,
            breaker,
            cooldown,
            observations == 0 ? null : errorRate,
            double.IsNaN(latency) ? null : TimeSpan.FromMilliseconds(latency),
            observations,
            observations == 0 ? null : new DateTimeOffset(last, TimeSpan.Zero))
        {
            LastProbeAt = probe?.At,
            LastProbeSucceeded = probe?.Succeeded,
            LastProbeError = probe?.Error,
        };
    }

    /// <summary>What a candidate lacks to serve a request (see <see cref="Lacks"/>).</summary>
    internal enum Lack
    {
        None,
        Model,
        Tools,
        Vision,
        JsonSchema,
        JsonWithTools,
        Reasoning,
        ContextWindow,
    }

    private sealed record ProbeResult(DateTimeOffset At, bool Succeeded, string? Error);
}
