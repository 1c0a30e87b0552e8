namespace CompatAI;

/// <summary>The weights of <see cref="RoutingStrategy.Balanced"/>: each of cost, latency and quality is normalized to 0..1 (1 for the best candidate) and weighted.</summary>
public sealed class BalancedWeights
{
    /// <summary>Gets or sets the weight of cost (the cheapest candidate scores 1). Default: 1.</summary>
    public double Cost { get; set; } = 1;

    /// <summary>Gets or sets the weight of latency (the fastest candidate scores 1). Default: 1.</summary>
    public double Latency { get; set; } = 1;

    /// <summary>Gets or sets the weight of quality (the best candidate scores 1). Default: 1.</summary>
    public double Quality { get; set; } = 1;

    internal void Validate()
    {
        if (Cost < 0 || Latency < 0 || Quality < 0 || !double.IsFinite(Cost + Latency + Quality) || Cost + Latency + Quality == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BalancedWeights), "BalancedWeights must be finite, not negative, and not all zero.");
        }
    }
}
