namespace CompatAI;

/// <summary>Configures <see cref="RouterChatClient"/>. Bound from <c>CompatAI:Routing</c> by <c>AddCompatRouterChatClient</c>.</summary>
public sealed class RouterOptions
{
    /// <summary>Gets or sets how candidates are ranked. Default: <see cref="RoutingStrategy.Cost"/>.</summary>
    public RoutingStrategy Strategy { get; set; } = RoutingStrategy.Cost;

    /// <summary>Gets or sets the weights of <see cref="RoutingStrategy.Balanced"/>.</summary>
    public BalancedWeights BalancedWeights { get; set; } = new();

    /// <summary>Gets or sets the output tokens expected of a request without <c>MaxOutputTokens</c>, for the cost estimate. Default: 512.</summary>
    public int ExpectedOutputTokens { get; set; } = 512;

    /// <summary>
    /// Gets or sets the half-life of the latency average: an observation this long after the previous one counts half.
    /// (Every observation counts at least 30 %, so a change shows within a few requests.) Default: 30 seconds.
    /// </summary>
    public TimeSpan LatencyHalfLife { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long a candidate may go unobserved before <see cref="RoutingStrategy.Latency"/> tries it again
    /// (so a provider that was slow, and has recovered, is found out); <see langword="null"/> disables exploration after
    /// the first observation. Default: 5 minutes.
    /// </summary>
    public TimeSpan? ExplorationInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the score of <see cref="RoutingStrategy.Custom"/> (higher is better).</summary>
    public Func<RouteCandidate, RouteRequirements, double>? CustomScore { get; set; }

    /// <summary>Gets or sets the prices for <see cref="RoutingStrategy.Cost"/> and <see cref="RoutingStrategy.Balanced"/>. Default: <see cref="PriceTable.Default"/>.</summary>
    public PriceTable Prices { get; set; } = PriceTable.Default;

    /// <summary>Gets or sets the catalog the candidates' providers are read from. Default: <see cref="ProviderCatalog.Default"/>.</summary>
    public ProviderCatalog Catalog { get; set; } = ProviderCatalog.Default;

    /// <summary>
    /// Gets or sets the failover along the ranked list: the same rules, circuit breaker, attempt timeout and clock as
    /// <see cref="FallbackChatClient"/>. The clock also drives the latency average and exploration, and
    /// <see cref="FallbackOptions.StateStore"/> also shares the latency average with other routers and processes.
    /// </summary>
    public FallbackOptions Failover { get; set; } = new();

    /// <summary>Gets or sets the random source of <see cref="RoutingStrategy.WeightedRandom"/>. Default: <see cref="System.Random.Shared"/>.</summary>
    public Random Random { get; set; } = Random.Shared;

    internal void Validate()
    {
        if (!Enum.IsDefined(Strategy))
        {
            throw new ArgumentOutOfRangeException(nameof(Strategy), Strategy, "RouterOptions.Strategy is not a known strategy.");
        }

        ArgumentNullException.ThrowIfNull(BalancedWeights, nameof(BalancedWeights));
        BalancedWeights.Validate();
        ArgumentNullException.ThrowIfNull(Prices, nameof(Prices));
        ArgumentNullException.ThrowIfNull(Catalog, nameof(Catalog));
        ArgumentNullException.ThrowIfNull(Failover, nameof(Failover));
        ArgumentNullException.ThrowIfNull(Random, nameof(Random));
        Failover.Validate();
        if (ExpectedOutputTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ExpectedOutputTokens), ExpectedOutputTokens, "RouterOptions.ExpectedOutputTokens must not be negative.");
        }

        if (LatencyHalfLife <= TimeSpan.Zero || ExplorationInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LatencyHalfLife), "RouterOptions.LatencyHalfLife and ExplorationInterval must be positive.");
        }

        if (Strategy == RoutingStrategy.Custom && CustomScore is null)
        {
            throw new ArgumentException("RouterOptions.Strategy is Custom but no CustomScore is set.", nameof(CustomScore));
        }
    }
}
