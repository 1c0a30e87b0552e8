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

    /// <summary>
    /// Reads <c>CompatAI:Routing</c> from <paramref name="configuration"/> as <c>AddCompatRouterChatClient</c> does: an
    /// unknown key or a value of the wrong type is an error that names the section.
    /// </summary>
    /// <param name="configuration">The configuration root.</param>
    /// <returns>The bound section (the defaults and no candidate when the section is absent).</returns>
    /// <exception cref="InvalidOperationException">The section has an unknown key or a bad value.</exception>
    public static CompatRoutingConfiguration Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var routing = new CompatRoutingConfiguration();
        var section = configuration.GetSection(SectionName);
        // Bound through a dedicated type whose Failover and Probes hold only settings: FallbackOptions and
        // ProviderProberOptions also hold service objects (clock, state store, logger factory), which configuration never
        // sets and which the configuration binding source generator (on under Native AOT) reports as unsupported.
        var settings = new Settings
        {
            Strategy = routing.Strategy,
            BalancedWeights = routing.BalancedWeights,
            Failover = FallbackOptionsBinder.Settings.From(routing.Failover),
            Probes = ProviderProberOptionsBinder.Settings.From(routing.Probes),
        };
        try
        {
            FallbackOptionsBinder.RejectServiceKeys(section.GetSection(nameof(Failover)));
            ProviderProberOptionsBinder.RejectServiceKeys(section.GetSection(nameof(Probes)));
            section.Bind(settings, static o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            // The message to show is the innermost one that names the key: the generated binder's own exception names key
            // and value (its inner one, from Enum.Parse or the like, neither); a wrapping "binding failed" message names none.
            var detail = ex.Message;
            for (Exception? e = ex; e is not null; e = e.InnerException)
            {
                if (e.Message.Contains(SectionName, StringComparison.OrdinalIgnoreCase))
                {
                    detail = e.Message;
                }
            }
            throw new InvalidOperationException($"Configuration '{SectionName}' is invalid: {detail}", ex);
        }

        routing.Strategy = settings.Strategy;
        routing.BalancedWeights = settings.BalancedWeights;
        routing.ExpectedOutputTokens = settings.ExpectedOutputTokens;
        routing.LatencyHalfLife = settings.LatencyHalfLife;
        routing.ExplorationInterval = settings.ExplorationInterval;
        settings.Failover.ApplyTo(routing.Failover);
        settings.Probes.ApplyTo(routing.Probes);
        routing.Candidates.AddRange(settings.Candidates);
        return routing;
    }

    /// <summary>Returns the <see cref="RouterOptions"/> these settings describe, with the library's defaults for what is not set.</summary>
    /// <param name="catalog">The catalog the candidates' providers are read from (with <c>CompatAI:Profiles</c> applied).</param>
    /// <param name="prices">The prices (with <c>CompatAI:Prices</c> applied).</param>
    /// <returns>New options; <see cref="Failover"/> is shared with this instance.</returns>
    public RouterOptions ToRouterOptions(ProviderCatalog catalog, PriceTable prices)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(prices);
        var defaults = new RouterOptions();
        return new RouterOptions
        {
            Strategy = Strategy,
            BalancedWeights = BalancedWeights,
            ExpectedOutputTokens = ExpectedOutputTokens ?? defaults.ExpectedOutputTokens,
            LatencyHalfLife = LatencyHalfLife ?? defaults.LatencyHalfLife,
            ExplorationInterval = ExplorationInterval ?? defaults.ExplorationInterval,
            Failover = Failover,
            Catalog = catalog,
            Prices = prices,
        };
    }

    /// <summary>The settings of this type as configuration sets them (see <see cref="Read"/>).</summary>
    internal sealed class Settings
    {
        public RoutingStrategy Strategy { get; set; }

        public BalancedWeights BalancedWeights { get; set; } = new();

        public int? ExpectedOutputTokens { get; set; }

        public TimeSpan? LatencyHalfLife { get; set; }

        public TimeSpan? ExplorationInterval { get; set; }

        public FallbackOptionsBinder.Settings Failover { get; set; } = new();

        public ProviderProberOptionsBinder.Settings Probes { get; set; } = new();

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "MA0016:Prefer using collection abstraction instead of implementation", Justification = "Bound by Microsoft.Extensions.Configuration, which fills concrete collections.")]
        public List<CompatRouteConfiguration> Candidates { get; } = [];
    }
}
