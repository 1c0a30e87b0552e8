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
}
