namespace CompatAI;

/// <summary>A snapshot of what a <see cref="RouterChatClient"/> knows of one candidate's health (see <see cref="RouterChatClient.GetHealth"/>).</summary>
/// <param name="Name">The candidate's name.</param>
/// <param name="Provider">The catalog provider, if known.</param>
/// <param name="Model">The model, if known.</param>
/// <param name="Status">The summary.</param>
/// <param name="Breaker">The circuit breaker's state.</param>
/// <param name="CoolingDownUntil">Until when the provider is skipped because it asked to wait (Retry-After), if it is.</param>
/// <param name="ErrorRate">The recent share of calls that failed against the provider's health (a decaying average, 0..1); <see langword="null"/> before the first call.</param>
/// <param name="Latency">The recent latency (decaying average of time to first update for streams, total time otherwise); <see langword="null"/> before the first success.</param>
/// <param name="Observations">How many calls were observed.</param>
/// <param name="LastObservedAt">When the last call was observed.</param>
public sealed record ProviderHealth(
    string Name,
    string? Provider,
    string? Model,
    ProviderHealthStatus Status,
    ProviderBreakerState Breaker,
    DateTimeOffset? CoolingDownUntil,
    double? ErrorRate,
    TimeSpan? Latency,
    long Observations,
    DateTimeOffset? LastObservedAt)
{
    /// <summary>Gets when the last active probe ran (<see cref="ProviderProber"/>); <see langword="null"/> when none has.</summary>
    public DateTimeOffset? LastProbeAt { get; init; }

    /// <summary>Gets whether the last active probe succeeded; a failed probe makes the candidate skipped and <see cref="ProviderHealthStatus.Unhealthy"/>.</summary>
    public bool? LastProbeSucceeded { get; init; }

    /// <summary>Gets the error of the last failed probe.</summary>
    public string? LastProbeError { get; init; }
}
