namespace CompatAI;

/// <summary>Configures <see cref="CostTrackingChatClient"/>.</summary>
public sealed class CostTrackingOptions
{
    /// <summary>
    /// Gets or sets the prices. Default (<see langword="null"/>): the <see cref="PriceTable"/> registered in the service
    /// provider the pipeline is built with (<c>AddCompatRouterChatClient</c> registers one with <c>CompatAI:Prices</c>
    /// applied), else <see cref="PriceTable.Default"/>.
    /// </summary>
    public PriceTable? Prices { get; set; }

    /// <summary>
    /// Gets or sets the catalog name of the provider the prices are looked up under. Default: the provider of the inner
    /// client (its <see cref="ProviderProfile"/>, else its <see cref="Microsoft.Extensions.AI.ChatClientMetadata.ProviderName"/>).
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>
    /// Gets or sets the currency of a cost the provider reports itself (OpenRouter's <c>usage.cost</c> is in US dollars of
    /// credit). Default: <c>USD</c>.
    /// </summary>
    public string ReportedCostCurrency { get; set; } = "USD";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ReportedCostCurrency) || ReportedCostCurrency.Length != 3)
        {
            throw new ArgumentException($"CostTrackingOptions.ReportedCostCurrency must be a 3-letter ISO 4217 code, not '{ReportedCostCurrency}'.", nameof(ReportedCostCurrency));
        }
    }
}
