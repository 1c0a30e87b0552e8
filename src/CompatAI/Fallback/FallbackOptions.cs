namespace CompatAI;

/// <summary>Configures <see cref="FallbackChatClient"/>.</summary>
public sealed class FallbackOptions
{
    /// <summary>
    /// Gets or sets whether a context-length error moves on to the next client (which may have a larger window).
    /// Default: <see langword="false"/> (the error surfaces).
    /// </summary>
    public bool FallOverOnContextLength { get; set; }

    /// <summary>
    /// Gets or sets the time one client may take: the whole call, or for a stream the time until its first update.
    /// A client that takes longer fails with <see cref="ProviderErrorKind.Timeout"/> and the next is tried. Default: none.
    /// </summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>
    /// Gets or sets whether a stream that ends without any update carrying a finish reason is an error
    /// (<see cref="ProviderErrorKind.StreamInterrupted"/>) rather than a silently truncated success. Default: <see langword="true"/>.
    /// </summary>
    public bool RequireFinishReason { get; set; } = true;

    /// <summary>Gets or sets the per-client circuit breaker. Default: <see cref="FallbackCircuitBreakerOptions"/> defaults.</summary>
    public FallbackCircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Gets or sets the clock used for cooldowns and the circuit breaker. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets where cooldowns, circuit state and (for <see cref="RouterChatClient"/>) latency estimates are shared
    /// with other clients and processes: a Retry-After or an opened circuit seen by one is honoured by all, and after a
    /// break one caller at a time probes (see <see cref="IRouteStateStore"/>). The client's own cooldowns and breaker
    /// keep working as without a store. Default: <see langword="null"/>, every client keeps its state to itself.
    /// <c>AddCompatChatClient</c> and <c>AddCompatRouterChatClient</c> take an <see cref="IRouteStateStore"/> registered
    /// in the services when none is set here.
    /// </summary>
    public IRouteStateStore? StateStore { get; set; }

    internal void Validate()
    {
        if (AttemptTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), timeout, "FallbackOptions.AttemptTimeout must be positive.");
        }

        ArgumentNullException.ThrowIfNull(CircuitBreaker, nameof(CircuitBreaker));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        CircuitBreaker.Validate();
    }
}

/// <summary>
/// Configures the circuit breaker kept for each client of a <see cref="FallbackChatClient"/> (built on Polly): when the
/// share of failed calls within <see cref="SamplingDuration"/> reaches <see cref="FailureRatio"/> (with at least
/// <see cref="MinimumThroughput"/> calls), the client is skipped for <see cref="BreakDuration"/>, then probed with one call.
/// </summary>
public sealed class FallbackCircuitBreakerOptions
{
    /// <summary>Gets or sets whether the breaker is used. Default: <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the failure share (0 to 1] that opens the circuit. Default: 0.5.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets the fewest calls in the sampling window before the circuit may open (at least 2). Default: 4.</summary>
    public int MinimumThroughput { get; set; } = 4;

    /// <summary>Gets or sets the window over which failures are counted. Default: 60 seconds.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long an open circuit skips the client before a probe. Default: 30 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets, with a <see cref="FallbackOptions.StateStore"/>, how long the lease of the one caller that probes a
    /// route after its break lasts when the probe's outcome is never reported (the prober crashed, or the call takes
    /// longer): after it, another caller may probe. Default: 30 seconds.
    /// </summary>
    public TimeSpan ProbeLease { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (FailureRatio is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FailureRatio), FailureRatio, "FallbackCircuitBreakerOptions.FailureRatio must be greater than 0 and at most 1.");
        }

        if (MinimumThroughput < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumThroughput), MinimumThroughput, "FallbackCircuitBreakerOptions.MinimumThroughput must be at least 2.");
        }

        if (SamplingDuration < TimeSpan.FromMilliseconds(500) || BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            throw new ArgumentOutOfRangeException(nameof(SamplingDuration), "FallbackCircuitBreakerOptions.SamplingDuration and BreakDuration must be at least 0.5 seconds.");
        }

        if (ProbeLease <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ProbeLease), ProbeLease, "FallbackCircuitBreakerOptions.ProbeLease must be positive.");
        }
    }
}
