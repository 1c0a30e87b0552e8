namespace CompatAI;

/// <summary>
/// The price of one model at one provider, per million tokens (a row of <see cref="PriceTable"/>; the built-in rows live
/// in <c>Catalog/Data/prices.json</c>).
/// </summary>
public sealed class ModelPrice
{
    /// <summary>Gets or sets the catalog name of the provider, for example <c>groq</c>.</summary>
    public string Provider { get; set; } = "";

    /// <summary>Gets or sets the model id (matched case-insensitively).</summary>
    public string Model { get; set; } = "";

    /// <summary>Gets or sets the price of one million uncached input tokens.</summary>
    public decimal Input { get; set; }

    /// <summary>Gets or sets the price of one million cached input tokens; <see langword="null"/> when the provider bills them as <see cref="Input"/>.</summary>
    public decimal? CachedInput { get; set; }

    /// <summary>Gets or sets the price of one million output tokens (reasoning tokens included).</summary>
    public decimal Output { get; set; }

    /// <summary>Gets or sets the ISO 4217 currency code of the prices. Default: <c>USD</c>.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>Gets or sets the page the price was read from.</summary>
    public Uri? Source { get; set; }

    /// <summary>Gets or sets the date the price was read (ISO 8601, <c>yyyy-MM-dd</c>).</summary>
    public string? Date { get; set; }

    /// <summary>Gets or sets whether the price was recorded without being checked against <see cref="Source"/> on <see cref="Date"/>: an estimate.</summary>
    public bool Uncertain { get; set; }

    /// <summary>Returns the cost of <paramref name="usage"/> at this price: cached input at <see cref="CachedInput"/>, the rest of the input at <see cref="Input"/>, output at <see cref="Output"/>.</summary>
    /// <param name="usage">The token usage.</param>
    /// <returns>The cost in <see cref="Currency"/>.</returns>
    public decimal CostOf(Microsoft.Extensions.AI.UsageDetails usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        long input = usage.InputTokenCount ?? 0;
        long cached = Math.Clamp(usage.CachedInputTokenCount ?? 0, 0, input);
        long output = usage.OutputTokenCount ?? 0;
        return CostOf(input - cached, cached, output);
    }

    /// <summary>Returns the cost of the given token counts at this price.</summary>
    /// <param name="uncachedInputTokens">Input tokens billed at <see cref="Input"/>.</param>
    /// <param name="cachedInputTokens">Input tokens billed at <see cref="CachedInput"/> (or <see cref="Input"/> when it is not set).</param>
    /// <param name="outputTokens">Output tokens.</param>
    /// <returns>The cost in <see cref="Currency"/>.</returns>
    public decimal CostOf(long uncachedInputTokens, long cachedInputTokens, long outputTokens) =>
        ((uncachedInputTokens * Input) + (cachedInputTokens * (CachedInput ?? Input)) + (outputTokens * Output)) / 1_000_000m;

    internal void Validate(string where)
    {
        if (string.IsNullOrWhiteSpace(Provider) || string.IsNullOrWhiteSpace(Model))
        {
            throw new FormatException($"{where}: a price needs both 'provider' and 'model'.");
        }

        if (Input < 0 || Output < 0 || CachedInput < 0)
        {
            throw new FormatException($"{where}: the price of '{Provider}/{Model}' is negative.");
        }

        if (string.IsNullOrWhiteSpace(Currency) || Currency.Length != 3)
        {
            throw new FormatException($"{where}: the currency of '{Provider}/{Model}' must be a 3-letter ISO 4217 code, not '{Currency}'.");
        }
    }
}
