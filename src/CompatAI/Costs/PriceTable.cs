using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace CompatAI;

/// <summary>
/// Prices per provider and model (see <see cref="ModelPrice"/>). <see cref="Default"/> is the built-in table
/// (<c>Catalog/Data/prices.json</c>, embedded in the assembly); <see cref="With(ModelPrice)"/> and
/// <see cref="WithOverrides(IConfiguration)"/> return copies with rows added or replaced.
/// </summary>
public sealed class PriceTable
{
    private static readonly Lazy<PriceTable> s_default = new(LoadEmbedded);
    private readonly FrozenDictionary<string, ModelPrice> _prices;

    /// <summary>Creates a table; a later row for the same provider and model replaces an earlier one.</summary>
    /// <param name="prices">The rows.</param>
    /// <exception cref="FormatException">A row has no provider or model, a negative price or an invalid currency.</exception>
    public PriceTable(IEnumerable<ModelPrice> prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var byKey = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var price in prices)
        {
            ArgumentNullException.ThrowIfNull(price, nameof(prices));
            price.Validate("Price table");
            byKey[Key(price.Provider, price.Model)] = price;
        }

        _prices = byKey.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets the built-in table.</summary>
    public static PriceTable Default => s_default.Value;

    /// <summary>Gets every row, ordered by provider and model.</summary>
    public IReadOnlyList<ModelPrice> Prices => [.. _prices.Values.OrderBy(static p => p.Provider, StringComparer.Ordinal).ThenBy(static p => p.Model, StringComparer.Ordinal)];

    /// <summary>Looks up the price of <paramref name="model"/> at <paramref name="provider"/>.</summary>
    /// <param name="provider">The catalog name of the provider.</param>
    /// <param name="model">The model id.</param>
    /// <param name="price">The price, when known.</param>
    /// <returns><see langword="true"/> when the table has a price.</returns>
    public bool TryGet(string? provider, string? model, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelPrice? price)
    {
        price = null;
        return provider is not null && model is not null && _prices.TryGetValue(Key(provider, model), out price);
    }

    /// <summary>Returns a copy of this table with <paramref name="price"/> added or replacing the row of the same provider and model.</summary>
    /// <param name="price">The row.</param>
    /// <returns>The new table.</returns>
    public PriceTable With(ModelPrice price)
    {
        ArgumentNullException.ThrowIfNull(price);
        return new PriceTable(_prices.Values.Append(price));
    }

    /// <summary>
    /// Returns a copy of this table with the rows of a configuration section (such as <c>CompatAI:Prices</c>) added or
    /// replacing rows of the same provider and model. The section is a list of <see cref="ModelPrice"/> objects:
    /// <c>CompatAI:Prices:0:Provider=groq</c>, <c>CompatAI:Prices:0:Model=llama-3.3-70b-versatile</c>, <c>...:Input=0.59</c>.
    /// </summary>
    /// <param name="prices">The section.</param>
    /// <returns>The new table; this one is not changed.</returns>
    /// <exception cref="InvalidOperationException">A value cannot be converted or a row is invalid; the message names the configuration key.</exception>
    public PriceTable WithOverrides(IConfiguration prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var rows = new List<ModelPrice>(_prices.Values);
        foreach (var section in prices.GetChildren())
        {
            ModelPrice row;
            try
            {
                // The row's own JSON contract reads the section (see ConfigurationJsonReader): no reflection, so this works
                // trimmed and under Native AOT, and JIT and AOT builds read configuration the same way.
                var node = new System.Text.Json.Nodes.JsonObject();
                ConfigurationJsonReader.Merge(node, section, PriceTableJsonContext.Default.ModelPrice);
                row = node.Deserialize(PriceTableJsonContext.Default.ModelPrice)!;
                row.Validate($"Configuration '{(section as IConfigurationSection)?.Path}'");
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
            {
                throw new InvalidOperationException($"Configuration '{(section as IConfigurationSection)?.Path}' is not a valid price: {ex.Message}", ex);
            }

            rows.Add(row);
        }

        return new PriceTable(rows);
    }

    /// <summary>Reads a table from JSON in the format of the embedded <c>prices.json</c>: <c>{ "prices": [ ... ] }</c>.</summary>
    /// <param name="utf8Json">The document.</param>
    /// <returns>The table.</returns>
    /// <exception cref="FormatException">The document is not a valid price table; the message names the problem.</exception>
    public static PriceTable FromJson(ReadOnlySpan<byte> utf8Json)
    {
        PriceDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(utf8Json, PriceTableJsonContext.Default.PriceDocument);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The price table is not valid: {ex.Message}", ex);
        }

        if (document?.Prices is not { } prices)
        {
            throw new FormatException("The price table has no 'prices' array.");
        }

        return new PriceTable(prices);
    }

    private static string Key(string provider, string model) => string.Concat(provider.Trim(), "\n", model.Trim());

    private static PriceTable LoadEmbedded()
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("CompatAI.prices.json")
            ?? throw new InvalidOperationException("The embedded price table is missing from the CompatAI assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return FromJson(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    internal sealed class PriceDocument
    {
        public List<ModelPrice>? Prices { get; set; }
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(PriceTable.PriceDocument))]
[JsonSerializable(typeof(ModelPrice))]
internal sealed partial class PriceTableJsonContext : JsonSerializerContext;
