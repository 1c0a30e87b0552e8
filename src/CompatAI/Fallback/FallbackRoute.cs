using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;

namespace CompatAI;

/// <summary>
/// One client of a <see cref="FallbackChatClient"/> and the health state kept for it across requests: its Polly circuit
/// breaker and its Retry-After cooldown, and, with a <see cref="FallbackOptions.StateStore"/>, what other clients and
/// processes report about the same route (under <see cref="Key"/>).
/// </summary>
internal sealed class FallbackRoute
{
    private readonly FallbackOptions _options;
    private readonly IRouteStateStore? _store;
    private readonly bool _sharesCircuit;
    private long _cooldownUntilTicks;
    private long _localOpenUntilTicks;

    /// <param name="client">The client.</param>
    /// <param name="index">Its place in the chain.</param>
    /// <param name="options">The chain's options.</param>
    /// <param name="name">The route's name (telemetry, <see cref="FallbackChatClient.ProviderKey"/>); default: the catalog provider's.</param>
    /// <param name="keyName">The name its state is shared under (a configured provider name); default: <see cref="Name"/>.</param>
    public FallbackRoute(IChatClient client, int index, FallbackOptions options, string? name = null, string? keyName = null)
    {
        Client = client;
        _options = options;
        var metadata = client.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        Name = name ?? (client.GetService(typeof(ProviderProfile)) as ProviderProfile)?.Name ?? metadata?.ProviderName ?? $"client{index}";
        Model = metadata?.DefaultModelId;
        keyName ??= Name;
        Key = Model is null ? keyName : $"{keyName}/{Model}";
        _store = options.StateStore;

        // Without a breaker of its own a client neither opens shared circuits nor honours them; cooldowns are still shared.
        _sharesCircuit = _store is not null && options.CircuitBreaker.Enabled;
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.CircuitBreaker.Enabled)
        {
            builder.AddCircuitBreaker(new()
            {
                FailureRatio = options.CircuitBreaker.FailureRatio,
                MinimumThroughput = options.CircuitBreaker.MinimumThroughput,
                SamplingDuration = options.CircuitBreaker.SamplingDuration,
                BreakDuration = options.CircuitBreaker.BreakDuration,
                StateProvider = BreakerState = new CircuitBreakerStateProvider(),
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } e && FailoverClassifier.CountsAgainstHealth(e)),
                OnOpened = args =>
                {
                    var now = _options.TimeProvider.GetUtcNow();
                    Interlocked.Exchange(ref _localOpenUntilTicks, (now + args.BreakDuration).UtcTicks);
                    if (_store is not null)
                    {
                        Share(_store.ReportCircuitOpenedAsync(Key, now + args.BreakDuration, now));
                    }

                    return CompatTelemetry.BreakerTransition(Name, CompatTelemetry.BreakerOpened);
                },
                OnHalfOpened = _ => CompatTelemetry.BreakerTransition(Name, CompatTelemetry.BreakerHalfOpened),
                OnClosed = _ =>
                {
                    Interlocked.Exchange(ref _localOpenUntilTicks, 0);
                    if (_store is not null)
                    {
                        Share(_store.ReportCircuitClosedAsync(Key, _options.TimeProvider.GetUtcNow()));
                    }

                    return CompatTelemetry.BreakerTransition(Name, CompatTelemetry.BreakerClosed);
                },
            });
        }

        Breaker = builder.Build();
    }

    public IChatClient Client { get; }

    /// <summary>Gets the state of the route's circuit breaker; <see langword="null"/> when the breaker is disabled.</summary>
    public CircuitBreakerStateProvider? BreakerState { get; }

    public string Name { get; }

    public string? Model { get; }

    /// <summary>
    /// Gets the route's key in the <see cref="FallbackOptions.StateStore"/>: <c>name/model</c> (or the name when the model
    /// is unknown), where the name is the client's configured name when the chain was given one, else <see cref="Name"/>.
    /// </summary>
    public string Key { get; }

    /// <summary>Gets the pipeline every call to <see cref="Client"/> runs in (the circuit breaker, or nothing when it is disabled).</summary>
    public ResiliencePipeline Breaker { get; }

    /// <summary>Gets when a rate-limited client may be tried again, as this client saw it; read and written atomically across concurrent requests.</summary>
    public DateTimeOffset? CooldownUntil
    {
        get => Interlocked.Read(ref _cooldownUntilTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        private set => Interlocked.Exchange(ref _cooldownUntilTicks, value?.UtcTicks ?? 0);
    }

    /// <summary>Starts a cooldown of <paramref name="wait"/> (a Retry-After) here and in the shared store.</summary>
    public void CoolDown(TimeSpan wait)
    {
        var now = _options.TimeProvider.GetUtcNow();
        CooldownUntil = now + wait;
        if (_store is not null)
        {
            Share(_store.ReportCooldownAsync(Key, now + wait, now));
        }
    }

    /// <summary>Returns the cooldown in force: the later of this client's and the shared one, or <see langword="null"/>.</summary>
    public DateTimeOffset? CooldownAt(DateTimeOffset now)
    {
        var local = CooldownUntil is { } l && l > now ? l : (DateTimeOffset?)null;
        var shared = _store?.GetState(Key).CooldownUntil is { } s && s > now ? s : (DateTimeOffset?)null;
        return local > shared || shared is null ? local : shared;
    }

    /// <summary>Gets what the store says of the circuit: open (the break has not ended), half-open (ended, no outcome yet), or <see langword="null"/>.</summary>
    public CircuitState? SharedCircuit(DateTimeOffset now)
    {
        if (!_sharesCircuit || _store!.GetState(Key).CircuitOpenUntil is not { } until)
        {
            return null;
        }

        return now < until ? CircuitState.Open : CircuitState.HalfOpen;
    }

    /// <summary>
    /// Decides whether the route may be called now: skipped while cooling down (here or, shared, anywhere), or while a
    /// shared circuit is open; after a shared break only the winner of the probe lease calls it. Without a store, and
    /// when nothing is shared for the route, this completes synchronously.
    /// </summary>
    public ValueTask<RouteAdmission> AdmitAsync(CancellationToken cancellationToken)
    {
        var now = _options.TimeProvider.GetUtcNow();
        if (CooldownUntil is { } until && now < until)
        {
            return new(RouteAdmission.Skip(CoolingDown(until, now)));
        }

        if (_store is not { } store)
        {
            return new(RouteAdmission.Call);
        }

        var shared = store.GetState(Key);
        if (shared.CooldownUntil is { } sharedUntil && now < sharedUntil)
        {
            CompatTelemetry.SharedStateEvent(Name, CompatTelemetry.SharedCooldownSkipped);
            return new(RouteAdmission.Skip(CoolingDown(sharedUntil, now)));
        }

        // The breaker's own open state refuses the call by itself (BrokenCircuitException), as without a store.
        if (!_sharesCircuit || shared.CircuitOpenUntil is not { } openUntil || Interlocked.Read(ref _localOpenUntilTicks) > now.UtcTicks)
        {
            return new(RouteAdmission.Call);
        }

        if (now < openUntil)
        {
            CompatTelemetry.SharedStateEvent(Name, CompatTelemetry.SharedCircuitSkipped);
            TraceFailure("circuit_open");
            return new(RouteAdmission.Skip(new ProviderException(Name, ProviderErrorKind.Unavailable, $"'{Name}' was skipped: its circuit is open (shared) until {openUntil:O} after repeated failures.")));
        }

        return AcquireProbeAsync(store, now, cancellationToken);
    }

    /// <summary>Reports the outcome of a probe this route won the lease for: a success (or an answer that says nothing about health) closes the shared circuit, a health failure opens it again.</summary>
    public void ProbeFinished(Exception? error)
    {
        if (!_sharesCircuit || error is BrokenCircuitException)
        {
            return;
        }

        var now = _options.TimeProvider.GetUtcNow();
        if (error is not null && FailoverClassifier.CountsAgainstHealth(error))
        {
            Share(_store!.ReportCircuitOpenedAsync(Key, now + _options.CircuitBreaker.BreakDuration, now));
        }
        else
        {
            Share(_store!.ReportCircuitClosedAsync(Key, now));
        }
    }

    /// <summary>Reports a latency observation to <paramref name="store"/> without waiting.</summary>
    public void ShareLatency(IRouteStateStore store, TimeSpan latency, DateTimeOffset observedAt, TimeSpan halfLife) =>
        Share(store.ReportLatencyAsync(Key, latency, observedAt, halfLife));

    /// <summary>Counts a failed or skipped attempt and records it as an event on the current activity.</summary>
    public void TraceFailure(string reason)
    {
        CompatTelemetry.FallbackAttempt(Name, reason);
    }

    /// <summary>Counts a failure that happened outside <see cref="Breaker"/> (a stream broken after output) against the breaker.</summary>
    public async ValueTask RecordFailureAsync(ProviderException error)
    {
        try
        {
            await Breaker.ExecuteAsync(static (e, _) => ValueTask.FromException(e), (Exception)error, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ReferenceEquals(ex, error) || ex is BrokenCircuitException)
        {
            // The outcome is now counted by the breaker; the caller throws the error itself.
        }
    }

    private ProviderException CoolingDown(DateTimeOffset until, DateTimeOffset now) =>
        new(Name, ProviderErrorKind.RateLimited, $"'{Name}' was skipped: it asked to wait until {until:O}.", retryAfter: until - now);

    private async ValueTask<RouteAdmission> AcquireProbeAsync(IRouteStateStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await store.TryAcquireProbeAsync(Key, _options.CircuitBreaker.ProbeLease, now, cancellationToken).ConfigureAwait(false))
        {
            CompatTelemetry.SharedStateEvent(Name, CompatTelemetry.SharedProbeAcquired);
            return RouteAdmission.Probe;
        }

        CompatTelemetry.SharedStateEvent(Name, CompatTelemetry.SharedProbeDenied);
        TraceFailure("circuit_open");
        return RouteAdmission.Skip(new ProviderException(Name, ProviderErrorKind.Unavailable, $"'{Name}' was skipped: its circuit is half-open and another caller is probing it."));
    }

    /// <summary>Lets a store's report run on without waiting for it; stores never fault it, and a fault is observed, not raised.</summary>
    private static void Share(ValueTask report)
    {
        if (report.IsCompletedSuccessfully)
        {
            return;
        }

        _ = report.AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
