using CompatAI.Gateway.Management;
using Microsoft.Extensions.Configuration;

namespace CompatAI.Gateway.Tests.Management;

/// <summary>The bounded aggregates: log-scale percentiles and the caps on series and ledger rows.</summary>
public sealed class AggregatesTests
{
    [Fact]
    public void Percentiles_are_never_below_the_true_value_and_at_most_25_percent_above()
    {
        var bins = new long[LogHistogram.Bins];
        for (var ms = 1; ms <= 1000; ms++)
        {
            bins[LogHistogram.BinOf(ms)]++;
        }

        foreach (var (q, exact) in new[] { (0.5, 500.0), (0.95, 950.0), (0.99, 990.0) })
        {
            var value = LogHistogram.Quantile(bins, 1000, q)!.Value;
            Assert.InRange(value, exact, exact * 1.25);
        }

        Assert.Null(LogHistogram.Quantile(bins, 0, 0.5));
        Assert.Equal(LogHistogram.Bins - 1, LogHistogram.BinOf(TimeSpan.FromHours(2).TotalMilliseconds));
    }

    [Fact]
    public void Series_and_ledger_rows_are_capped()
    {
        var stats = new ProviderStatsStore(TimeProvider.System, maxSeries: 2);
        stats.RecordAttempt("p", "m1", GatewayMetrics.Success);
        stats.RecordAttempt("p", "m2", GatewayMetrics.Success);
        stats.RecordAttempt("p", "m3", "ServerError");
        stats.RecordAttempt("p", "m4", GatewayMetrics.Success);
        Assert.Equal([("p", "(other)"), ("p", "m1"), ("p", "m2")], stats.Keys);
        Assert.Equal(2, stats.Window(4, "p", "(other)").Attempts);
        Assert.Equal(0.75, stats.Window(4, "p").SuccessRate!.Value, 9);

        var ledger = new UsageLedger(TimeProvider.System, maxRows: 1);
        ledger.AddTokens("p", "m", "key-a", "input", 10);
        ledger.AddTokens("p", "m", "key-b", "input", 5);
        ledger.AddCost("p", "m", "key-c", "USD", 0.5);
        var rows = ledger.Snapshot();
        Assert.Equal(["(other)", "key-a"], rows.Select(r => r.Client));
        Assert.Equal(5, rows[0].Month.InputTokens);
        Assert.Equal(0.5, rows[0].MonthCost["USD"]);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    public void The_standalone_switch_defaults_to_on(string? value, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CompatAI:Gateway:Management:Enabled"] = value }).Build();
        Assert.Equal(expected, GatewayManagementOptions.IsEnabled(configuration));
    }

    [Fact]
    public void A_switch_that_is_not_a_boolean_is_named_in_the_error()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CompatAI:Gateway:Management:Enabled"] = "yes please" }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => GatewayManagementOptions.IsEnabled(configuration));
        Assert.Contains("CompatAI:Gateway:Management:Enabled is 'yes please'", error.Message, StringComparison.Ordinal);
    }
}
