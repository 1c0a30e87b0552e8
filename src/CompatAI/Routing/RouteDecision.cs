namespace CompatAI;

/// <summary>How a <see cref="RouterChatClient"/> ranks the candidates for one request (see <see cref="RouterChatClient.Decide"/>).</summary>
/// <param name="Strategy">The strategy used.</param>
/// <param name="Requirements">What the request needs.</param>
/// <param name="Ranked">The candidates that may serve the request, in the order they are tried.</param>
/// <param name="Excluded">The candidates left out, with the reason.</param>
public sealed record RouteDecision(RoutingStrategy Strategy, RouteRequirements Requirements, IReadOnlyList<RankedCandidate> Ranked, IReadOnlyList<ExcludedCandidate> Excluded);
