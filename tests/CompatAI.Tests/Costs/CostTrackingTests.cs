using CompatAI;
using CompatAI.Tests.Integration;
using CompatAI.Tests.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;

namespace CompatAI.Tests.Costs;

/// <summary>Cost on every response, against the emulator's personalities over loopback HTTP.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class CostTrackingTests(EmulatorFixture fixture)
{
    // A price of the test's own, so the expectation is arithmetic on the served usage, not a table lookup.
    private static readonly PriceTable s_prices = PriceTable.Default.With(new ModelPrice
    {
        Provider = "mistral", Model = "mistral-small-latest", Input = 2m, Output = 10m, Currency = "EUR",
    }).With(new ModelPrice { Provider = "openrouter", Model = "openai/gpt-4o-mini", Input = 1000m, Output = 1000m });

    private IChatClient Client(string personality, string model) =>
        new ChatClientBuilder(fixture.Pipeline(personality, model)).UseCostTracking(o => o.Prices = s_prices).Build();

    [Fact]
    public async Task A_response_is_priced_from_the_table_by_its_usage()
    {
        using var capture = new TelemetryCapture();
        using var client = Client("mistral", "mistral-small-latest");

        var response = await client.GetResponseAsync("price this answer please");

        long input = response.Usage!.InputTokenCount!.Value, output = response.Usage.OutputTokenCount!.Value;
        Assert.True(input > 0 && output > 0);
        decimal expected = ((input * 2m) + (output * 10m)) / 1_000_000m;
        Assert.Equal(expected, response.AdditionalProperties![CostTrackingChatClient.CostKey]);
        Assert.Equal("EUR", response.AdditionalProperties[CostTrackingChatClient.CurrencyKey]);
        Assert.Equal(CostTrackingChatClient.SourcePriceTable, response.AdditionalProperties[CostTrackingChatClient.CostSourceKey]);
        Assert.Equal((long)Math.Round(expected * 1_000_000m, MidpointRounding.AwayFromZero), response.Usage.AdditionalCounts![CostTrackingChatClient.CostMicrosCountKey]);

        var (sum, count) = capture.Histogram(CompatTelemetry.CostMetric, (CompatTelemetry.GenAiProviderAttribute, "mistral"), (CompatTelemetry.CostSourceAttribute, "price_table"));
        Assert.Equal(1, count);
        Assert.Equal((double)expected, sum, 12);
    }

    [Fact]
    public async Task A_stream_carries_its_cost_on_the_update_with_the_usage()
    {
        using var client = Client("mistral", "mistral-small-latest");
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("price this stream"))
        {
            updates.Add(update);
        }

        var priced = Assert.Single(updates, u => u.AdditionalProperties?.ContainsKey(CostTrackingChatClient.CostKey) == true);
        var usage = Assert.Single(priced.Contents.OfType<UsageContent>()).Details;
        decimal expected = ((usage.InputTokenCount!.Value * 2m) + (usage.OutputTokenCount!.Value * 10m)) / 1_000_000m;
        Assert.Equal(expected, priced.AdditionalProperties![CostTrackingChatClient.CostKey]);

        // MEAI's own aggregation keeps the micro-units: the whole response's usage holds the cost.
        var whole = updates.ToChatResponse();
        Assert.Equal((long)Math.Round(expected * 1_000_000m, MidpointRounding.AwayFromZero), whole.Usage!.AdditionalCounts![CostTrackingChatClient.CostMicrosCountKey]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_provider_reported_cost_wins_over_the_table(bool stream)
    {
        // The emulated OpenRouter reports usage.cost = total tokens x 0.000001; the table would say 1000 per million.
        using var client = Client("openrouter", "openai/gpt-4o-mini");
        ChatResponse response;
        if (stream)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in client.GetStreamingResponseAsync("what does this cost"))
            {
                updates.Add(update);
            }

            var priced = Assert.Single(updates, u => u.AdditionalProperties?.ContainsKey(CostTrackingChatClient.CostKey) == true);
            response = updates.ToChatResponse();
            response.AdditionalProperties = priced.AdditionalProperties;
        }
        else
        {
            response = await client.GetResponseAsync("what does this cost");
        }

        decimal expected = response.Usage!.TotalTokenCount!.Value * 0.000001m;
        Assert.Equal(expected, (decimal)response.AdditionalProperties![CostTrackingChatClient.CostKey]!, 10);
        Assert.Equal(CostTrackingChatClient.SourceProvider, response.AdditionalProperties[CostTrackingChatClient.CostSourceKey]);
        Assert.Equal("USD", response.AdditionalProperties[CostTrackingChatClient.CurrencyKey]);
    }

    [Fact]
    public async Task A_model_without_a_price_gets_no_cost()
    {
        using var client = Client("mistral", "magistral-small-2507");

        var response = await client.GetResponseAsync("no price for this one");

        Assert.False(response.AdditionalProperties?.ContainsKey(CostTrackingChatClient.CostKey) ?? false);
        Assert.False(response.Usage?.AdditionalCounts?.ContainsKey(CostTrackingChatClient.CostMicrosCountKey) ?? false);
    }

    [Fact]
    public void The_builtin_table_is_valid_and_every_row_names_its_source_and_date()
    {
        var prices = PriceTable.Default.Prices;
        Assert.NotEmpty(prices);
        Assert.All(prices, p =>
        {
            Assert.True(ProviderCatalog.Default.TryGet(p.Provider, out _), $"'{p.Provider}' is not a catalog provider");
            Assert.NotNull(p.Source);
            Assert.True(DateOnly.TryParseExact(p.Date, "yyyy-MM-dd", out _), $"'{p.Provider}/{p.Model}' has no valid date");
        });
    }

    [Fact]
    public void Prices_are_overridden_from_configuration_and_bad_rows_name_their_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CompatAI:Prices:0:Provider"] = "groq",
            ["CompatAI:Prices:0:Model"] = "llama-3.3-70b-versatile",
            ["CompatAI:Prices:0:Input"] = "0.5",
            ["CompatAI:Prices:0:Output"] = "0.7",
        }).Build();

        var table = PriceTable.Default.WithOverrides(configuration.GetSection("CompatAI:Prices"));

        Assert.True(table.TryGet("groq", "LLAMA-3.3-70b-versatile", out var price));
        Assert.Equal(0.5m, price.Input);
        Assert.Equal(0.7m, price.Output);
        Assert.True(PriceTable.Default.TryGet("groq", "llama-3.3-70b-versatile", out var original));
        Assert.NotEqual(0.5m, original.Input);

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CompatAI:Prices:0:Provider"] = "groq",
            ["CompatAI:Prices:0:Model"] = "x",
            ["CompatAI:Prices:0:Input"] = "-1",
        }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => PriceTable.Default.WithOverrides(bad.GetSection("CompatAI:Prices")));
        Assert.Contains("CompatAI:Prices:0", error.Message);
        Assert.Contains("negative", error.Message);
    }

    [Theory]
    [InlineData("Input", "cheap", "'CompatAI:Prices:0:Input' is 'cheap', which is not a valid number")]
    [InlineData("Uncertain", "maybe", "'CompatAI:Prices:0:Uncertain' is 'maybe', which is not a valid boolean")]
    [InlineData("Inptu", "1", "'CompatAI:Prices:0:Inptu' is not a setting of ModelPrice")]
    public void A_price_override_with_a_bad_value_or_key_names_the_key(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CompatAI:Prices:0:Provider"] = "groq",
            ["CompatAI:Prices:0:Model"] = "llama-3.3-70b-versatile",
            [$"CompatAI:Prices:0:{key}"] = value,
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => PriceTable.Default.WithOverrides(configuration.GetSection("CompatAI:Prices")));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_price_override_reads_every_column()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CompatAI:Prices:0:Provider"] = "acme",
            ["CompatAI:Prices:0:Model"] = "acme-large",
            ["CompatAI:Prices:0:Input"] = "1.25",
            ["CompatAI:Prices:0:CachedInput"] = "0.125",
            ["CompatAI:Prices:0:Output"] = "5",
            ["CompatAI:Prices:0:Currency"] = "EUR",
            ["CompatAI:Prices:0:Source"] = "https://acme.example/pricing",
            ["CompatAI:Prices:0:Date"] = "2026-11-30",
            ["CompatAI:Prices:0:Uncertain"] = "true",
        }).Build();

        Assert.True(PriceTable.Default.WithOverrides(configuration.GetSection("CompatAI:Prices")).TryGet("acme", "acme-large", out var price));

        Assert.Equal(1.25m, price.Input);
        Assert.Equal(0.125m, price.CachedInput);
        Assert.Equal(5m, price.Output);
        Assert.Equal("EUR", price.Currency);
        Assert.Equal(new Uri("https://acme.example/pricing"), price.Source);
        Assert.Equal("2026-11-30", price.Date);
        Assert.True(price.Uncertain);
    }
}
