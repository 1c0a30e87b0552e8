using Microsoft.Extensions.Configuration;

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

    /// <summary>
    /// Gets or sets the timing of the active probes (<c>CompatAI:Routing:Probes:Interval</c>, <c>Jitter</c>,
    /// <c>Timeout</c>) of the candidates whose <see cref="CompatRouteConfiguration.Probe"/> is set.
    /// </summary>
    public ProviderProberOptions Probes { get; set; } = new();

    /// <summary>Gets the candidates, in order (the tie-breaker).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "MA0016:Prefer using collection abstraction instead of implementation", Justification = "Bound by Microsoft.Extensions.Configuration, which fills concrete collections; the shape is the documented options pattern.")]
    public List<CompatRouteConfiguration> Candidates { get; } = [];

    /// <summary>Binds the section of <paramref name="configuration"/> (the root), refusing keys it does not know.</summary>
    /// <exception cref="InvalidOperationException">A key is unknown or a value does not convert; the message names the section.</exception>
    internal static CompatRoutingConfiguration Read(IConfiguration configuration)
    {
        var routing = new CompatRoutingConfiguration();
        try
        {
            configuration.GetSection(SectionName).Bind(routing, static o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's outer message says only that binding failed; the inner one names the key and the value.
            var detail = ex.InnerException is { } inner ? inner.Message : ex.Message;
            throw new InvalidOperationException($"Configuration '{SectionName}' is invalid: {detail}", ex);
        }

        return routing;
    }
}
