namespace CompatAI.Gateway.Management;

/// <summary>A provider's health at one moment.</summary>
/// <param name="State"><see cref="Healthy"/>, <see cref="Degraded"/> or <see cref="Unhealthy"/>.</param>
/// <param name="Breaker">The circuit breaker's state as last seen (<c>closed</c>, <c>open</c>, <c>half_open</c>), or <see langword="null"/> when no breaker has been seen.</param>
/// <param name="Reason">Why the state is what it is, in words.</param>
/// <param name="LastSuccess">When the provider last answered, or <see langword="null"/>.</param>
/// <param name="LastFailure">When the provider last failed, or <see langword="null"/>.</param>
/// <param name="LastProbe">When an active probe last ran, or <see langword="null"/> when there are no probes.</param>
public sealed record ProviderHealthSnapshot(
    string State,
    string? Breaker,
    string Reason,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastFailure,
    DateTimeOffset? LastProbe)
{
    /// <summary>State: serving normally, or nothing bad observed yet.</summary>
    public const string Healthy = "healthy";

    /// <summary>State: serving, but failing often (half or more of the last minute's tried calls) or probing after a break.</summary>
    public const string Degraded = "degraded";

    /// <summary>State: skipped by routing (circuit breaker open).</summary>
    public const string Unhealthy = "unhealthy";
}
