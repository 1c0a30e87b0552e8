using CompatAI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds a <see cref="CostTrackingChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class CostTrackingChatClientBuilderExtensions
{
    /// <summary>Puts the cost of every response on the response (see <see cref="CostTrackingChatClient"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the prices and the provider they are looked up under.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseCostTracking(this ChatClientBuilder builder, Action<CostTrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new CostTrackingOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.Use((inner, services) => new CostTrackingChatClient(inner, options.Prices is not null ? options : new CostTrackingOptions
        {
            Prices = services.GetService(typeof(PriceTable)) as PriceTable,
            Provider = options.Provider,
            ReportedCostCurrency = options.ReportedCostCurrency,
        }));
    }
}
