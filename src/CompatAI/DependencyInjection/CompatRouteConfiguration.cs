namespace CompatAI;

/// <summary>One candidate of <see cref="CompatRoutingConfiguration"/>.</summary>
public sealed class CompatRouteConfiguration
{
    /// <summary>Gets or sets the name of a provider configured under <c>CompatAI:Providers</c>.</summary>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the candidate's name. Default: the provider's.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets <see cref="RouteCandidate.Quality"/>.</summary>
    public double Quality { get; set; }

    /// <summary>Gets or sets <see cref="RouteCandidate.Weight"/>. Default: 1.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>
    /// Gets or sets the candidate's active probe, run every <c>CompatAI:Routing:Probes:Interval</c> by the hosted service
    /// <c>AddCompatRouterChatClient</c> registers. Default: <see cref="ProviderProbeKind.None"/> (a paid provider is not
    /// called unless you ask for it).
    /// </summary>
    public ProviderProbeKind Probe { get; set; } = ProviderProbeKind.None;
}
