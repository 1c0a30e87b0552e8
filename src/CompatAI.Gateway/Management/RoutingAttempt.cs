namespace CompatAI.Gateway.Management;

/// <summary>One attempt within a routing decision.</summary>
/// <param name="Provider">The provider's gateway prefix.</param>
/// <param name="Outcome"><c>success</c>, <c>circuit_open</c> (skipped) or the error kind.</param>
internal sealed record RoutingAttempt(string Provider, string Outcome);
