namespace CompatAI.Gateway.Management;

/// <summary>How one request to a routed model (a fallback chain or a router) was served.</summary>
internal sealed record RoutingDecision(
    DateTimeOffset Time,
    string RequestId,
    string Route,
    string Strategy,
    string? Chosen,
    IReadOnlyList<RoutingAttempt> Attempts,
    string Reason,
    double LatencyMs)
{
    /// <summary>Gets the serving candidate's score under a router's strategy (see the library's <c>RankedCandidate.Score</c>); <see langword="null"/> for chains or a score that is not finite.</summary>
    public double? Score { get; init; }

    /// <summary>Gets the serving candidate's rank under a router's strategy (1 for the first choice); <see langword="null"/> for chains.</summary>
    public int? Rank { get; init; }
}
