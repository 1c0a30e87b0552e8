namespace CompatAI.Gateway.Management;

/// <summary>How one request to a routed model (a fallback chain) was served.</summary>
internal sealed record RoutingDecision(
    DateTimeOffset Time,
    string RequestId,
    string Route,
    string Strategy,
    string? Chosen,
    IReadOnlyList<RoutingAttempt> Attempts,
    string Reason,
    double LatencyMs);
