namespace CompatAI;

/// <summary>
/// The <c>CompatAI:Routing</c> configuration section read by <c>AddCompatRouterChatClient</c>: the strategy and its
/// settings, and the candidates, each naming a provider configured under <c>CompatAI:Providers</c>.
/// </summary>
public sealed class CompatRoutingConfiguration
{
    /// <summary>The section's path: <c>CompatAI:Routing</c>.</summary>
    public const string SectionName = "CompatAI:Routing";

    /// <summary>Gets or sets the strategy. Default: <see cref="RoutingStrategy.Cost"/>.</summary>
    public RoutingStrategy Strategy { get; set; } = RoutingStrategy.Cost;

    /// <summary>Gets or sets the weights of <see cref="RoutingStrategy.Balanced"/>.</summary>
    public BalancedWeights BalancedWeights { get; set; } = new();

    /// <summary>Gets or sets <see cref="RouterOptions.ExpectedOutputTokens"/>; <see langword="null"/> for its default.</summary>
    public int? ExpectedOutputTokens { get; set; }

    /// <summary>Gets or sets <see cref="RouterOptions.LatencyHalfLife"/>; <see langword="null"/> for its default.</summary>
    public TimeSpan? LatencyHalfLife { get; set; }

    /// <summary>Gets or sets <see cref="RouterOptions.ExplorationInterval"/>; <see langword="null"/> for its default.</summary>
    public TimeSpan? ExplorationInterval { get; set; }

    /// <summary>Gets or sets the failover along the ranking (circuit breaker, attempt timeout).</summary>
    public FallbackOptions Failover { get; set; } = new();

    /// <summary>Gets the candidates, in order (the tie-breaker).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "MA0016:Prefer using collection abstraction instead of implementation", Justification = "Bound by Microsoft.Extensions.Configuration, which fills concrete collections; the shape is the documented options pattern.")]
    public List<CompatRouteConfiguration> Candidates { get; } = [];
}
