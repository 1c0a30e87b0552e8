using System.Diagnostics;
using Microsoft.Extensions.AI;
using Polly;

namespace CompatAI;

/// <summary>
/// One client of a <see cref="FallbackChatClient"/> and the health state kept for it across requests: its Polly circuit
/// breaker and its Retry-After cooldown.
/// </summary>
internal sealed class FallbackRoute
{
    private long _cooldownUntilTicks;

    public FallbackRoute(IChatClient client, int index, FallbackOptions options, string? name = null)
    {
        Client = client;
        var metadata = client.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        Name = name ?? (client.GetService(typeof(ProviderProfile)) as ProviderProfile)?.Name ?? metadata?.ProviderName ?? $"client{index}";
        Model = metadata?.DefaultModelId;
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.CircuitBreaker.Enabled)
        {
            builder.AddCircuitBreaker(new()
            {
                FailureRatio = options.CircuitBreaker.FailureRatio,
                MinimumThroughput = options.CircuitBreaker.MinimumThroughput,
                SamplingDuration = options.CircuitBreaker.SamplingDuration,
                BreakDuration = options.CircuitBreaker.BreakDuration,
                StateProvider = BreakerState = new Polly.CircuitBreaker.CircuitBreakerStateProvider(),
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } e && FailoverClassifier.CountsAgainstHealth(e)),
                OnOpened = _ => CompatTelemetry.BreakerTransition(Name, CompatTelemetry.BreakerOpened),
                OnHalfOpened = _ => CompatTelemetry.BreakerTransition(Name, CompatTelemetry.BreakerHalfOpened),
                OnClosed = _ => CompatTelemetry.BreakerTransition(Name, CompatTelemetry.BreakerClosed),
            });
        }

        Breaker = builder.Build();
    }

    public IChatClient Client { get; }

    /// <summary>Gets the state of the route's circuit breaker; <see langword="null"/> when the breaker is disabled.</summary>
    public Polly.CircuitBreaker.CircuitBreakerStateProvider? BreakerState { get; }

    public string Name { get; }

    public string? Model { get; }

    /// <summary>Gets the pipeline every call to <see cref="Client"/> runs in (the circuit breaker, or nothing when it is disabled).</summary>
    public ResiliencePipeline Breaker { get; }

    /// <summary>Gets or sets when a rate-limited client may be tried again; read and written atomically across concurrent requests.</summary>
    public DateTimeOffset? CooldownUntil
    {
        get => Interlocked.Read(ref _cooldownUntilTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        set => Interlocked.Exchange(ref _cooldownUntilTicks, value?.UtcTicks ?? 0);
    }

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
        catch (Exception ex) when (ReferenceEquals(ex, error) || ex is Polly.CircuitBreaker.BrokenCircuitException)
        {
            // The outcome is now counted by the breaker; the caller throws the error itself.
        }
    }
}
