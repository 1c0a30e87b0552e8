namespace CompatAI;

/// <summary>The summary of a <see cref="ProviderHealth"/>.</summary>
public enum ProviderHealthStatus
{
    /// <summary>Not observed yet.</summary>
    Unknown,

    /// <summary>Serving: breaker closed, no cooldown, recent error rate below one half.</summary>
    Healthy,

    /// <summary>Serving with trouble: breaker half-open, cooling down after a rate limit, or a recent error rate of one half or more.</summary>
    Degraded,

    /// <summary>Skipped: the circuit breaker is open, or the last active probe failed.</summary>
    Unhealthy,
}
