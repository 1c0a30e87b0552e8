namespace CompatAI;

/// <summary>What one response cost, as <see cref="CostTrackingChatClient"/> determined it.</summary>
/// <param name="Amount">The cost in <paramref name="Currency"/>.</param>
/// <param name="Currency">The ISO 4217 currency code.</param>
/// <param name="Source">Where the amount comes from: <see cref="CostTrackingChatClient.SourceProvider"/> or <see cref="CostTrackingChatClient.SourcePriceTable"/>.</param>
/// <param name="Uncertain">Whether the price used is marked uncertain in the price table (never for a provider-reported cost).</param>
public sealed record ResponseCost(decimal Amount, string Currency, string Source, bool Uncertain)
{
    /// <summary>Gets the amount in millionths of the currency unit, rounded to the nearest (the value of <see cref="CostTrackingChatClient.CostMicrosCountKey"/>).</summary>
    public long Micros => (long)Math.Round(Amount * 1_000_000m, MidpointRounding.AwayFromZero);
}
