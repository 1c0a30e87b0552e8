namespace CompatAI;

/// <summary>How a <see cref="RouterChatClient"/> ranks the candidates that can serve a request.</summary>
public enum RoutingStrategy
{
    /// <summary>Cheapest expected cost first: the estimated prompt at the input price plus the expected output at the output price; unpriced candidates last.</summary>
    Cost,

    /// <summary>Lowest recent latency first (a decaying average of time to first update for streams, total time otherwise); candidates never or not recently observed are tried first (exploration).</summary>
    Latency,

    /// <summary>Highest configured <see cref="RouteCandidate.Quality"/> first.</summary>
    Quality,

    /// <summary>Highest weighted sum of normalized cost, latency and quality first (<see cref="RouterOptions.BalancedWeights"/>).</summary>
    Balanced,

    /// <summary>One candidate drawn at random in proportion to <see cref="RouteCandidate.Weight"/>, then the rest by weight.</summary>
    WeightedRandom,

    /// <summary>Each request starts one candidate further along the list.</summary>
    RoundRobin,

    /// <summary>Highest <see cref="RouterOptions.CustomScore"/> first.</summary>
    Custom,
}
