namespace CompatAI;

/// <summary>How a <see cref="RouterChatClient"/> ranks the candidates that can serve a request.</summary>
public enum RoutingStrategy
{
    /// <summary>
    /// Cheapest expected cost first: the estimated prompt at the input price plus the expected output at the output price;
    /// unpriced candidates last. The prompt is estimated from its size without tokenizing (the chat format's overhead as
    /// <see cref="TokenCounter.CountChat"/> counts it, each text as its UTF-8 bytes / 4 rounded up), so a decision stays
    /// within microseconds whatever the prompt; <see cref="RouteRequirements.PromptTokens"/> is the tokenized count.
    /// </summary>
    Cost,

    /// <summary>Lowest recent latency first (a decaying average of time to first update for streams, total time otherwise); candidates never or not recently observed are tried first (exploration).</summary>
    Latency,

    /// <summary>Highest configured <see cref="RouteCandidate.Quality"/> first.</summary>
    Quality,

    /// <summary>Highest weighted sum of normalized cost (estimated as for <see cref="Cost"/>), latency and quality first (<see cref="RouterOptions.BalancedWeights"/>).</summary>
    Balanced,

    /// <summary>One candidate drawn at random in proportion to <see cref="RouteCandidate.Weight"/>, then the rest by weight.</summary>
    WeightedRandom,

    /// <summary>Each request starts one candidate further along the list.</summary>
    RoundRobin,

    /// <summary>Highest <see cref="RouterOptions.CustomScore"/> first.</summary>
    Custom,
}
