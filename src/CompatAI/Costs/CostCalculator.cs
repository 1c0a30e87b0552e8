using System.Globalization;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>The one place a response's cost is determined: a provider-reported cost wins over the price table.</summary>
internal static class CostCalculator
{
    /// <summary>The <c>AdditionalProperties</c> key the reasoning extractor copies a provider's <c>usage.cost</c> to.</summary>
    public const string ReportedCostProperty = "cost";

    /// <summary>Returns the cost of a response (or of the update that carries usage), or <see langword="null"/> when neither the provider nor the table says.</summary>
    public static ResponseCost? Compute(PriceTable prices, string? provider, string? model, UsageDetails? usage, AdditionalPropertiesDictionary? properties, string reportedCurrency)
    {
        if (properties is not null && properties.TryGetValue(ReportedCostProperty, out var reported) && ToDecimal(reported) is { } amount && amount >= 0)
        {
            return new ResponseCost(amount, reportedCurrency, CostTrackingChatClient.SourceProvider, Uncertain: false);
        }

        if (usage is not null && prices.TryGet(provider, model, out var price))
        {
            return new ResponseCost(price.CostOf(usage), price.Currency, CostTrackingChatClient.SourcePriceTable, price.Uncertain);
        }

        return null;
    }

    /// <summary>Returns the provider a fallback chain or router inside says served a response, if any.</summary>
    public static string? ServedBy(AdditionalPropertiesDictionary? properties) =>
        properties is not null && properties.TryGetValue(FallbackChatClient.ProviderKey, out var value) && value is string provider ? provider : null;

    /// <summary>Returns the expected cost of a request: its estimated prompt at the input price and the expected output at the output price.</summary>
    public static decimal? Estimate(PriceTable prices, string? provider, string? model, long promptTokens, long expectedOutputTokens) =>
        prices.TryGet(provider, model, out var price) ? price.CostOf(promptTokens, 0, expectedOutputTokens) : null;

    /// <summary>Records <paramref name="cost"/> on a response's properties and usage, and on the cost metric.</summary>
    public static AdditionalPropertiesDictionary Apply(ResponseCost cost, AdditionalPropertiesDictionary? properties, UsageDetails? usage, string? provider, string? model)
    {
        properties ??= [];
        properties[CostTrackingChatClient.CostKey] = cost.Amount;
        properties[CostTrackingChatClient.CurrencyKey] = cost.Currency;
        properties[CostTrackingChatClient.CostSourceKey] = cost.Source;
        if (usage is not null)
        {
            (usage.AdditionalCounts ??= [])[CostTrackingChatClient.CostMicrosCountKey] = cost.Micros;
        }

        CompatTelemetry.Cost(provider, model, cost);
        return properties;
    }

    private static decimal? ToDecimal(object? value) => value switch
    {
        decimal d => d,
        double d when double.IsFinite(d) => (decimal)d,
        float f when float.IsFinite(f) => (decimal)f,
        long l => l,
        int i => i,
        string s when decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e when e.TryGetDecimal(out var parsed) => parsed,
        _ => null,
    };
}
