namespace CompatAI;

/// <summary>One candidate in a <see cref="RouteDecision"/>, in the order it would be tried.</summary>
/// <param name="Name">The candidate's name.</param>
/// <param name="Provider">The catalog provider, if known.</param>
/// <param name="Model">The model, if known.</param>
/// <param name="Rank">The position, from 1.</param>
/// <param name="Score">
/// The strategy's score: estimated cost for <see cref="RoutingStrategy.Cost"/> (the prompt estimated from its size, see
/// <see cref="RoutingStrategy.Cost"/>; <see cref="double.PositiveInfinity"/> when unpriced), average latency in milliseconds for <see cref="RoutingStrategy.Latency"/> (0 while being explored),
/// quality, the balanced score (0..1), the weight, the position for round-robin, or the custom score.
/// </param>
/// <param name="CircuitOpen">Whether the candidate is unavailable: its circuit breaker is open (it is skipped without a call) or its last active probe failed; either way it is ranked last.</param>
public sealed record RankedCandidate(string Name, string? Provider, string? Model, int Rank, double Score, bool CircuitOpen);
