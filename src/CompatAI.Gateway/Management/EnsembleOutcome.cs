namespace CompatAI.Gateway.Management;

/// <summary>One ensemble request as its pipeline reported it.</summary>
internal sealed record EnsembleOutcome(DateTimeOffset Time, string RequestId, string Provider, string Mode, string? Winner, int? Members, double LatencyMs);
