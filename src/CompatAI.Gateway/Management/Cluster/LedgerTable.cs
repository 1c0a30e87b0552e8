namespace CompatAI.Gateway.Management.Cluster;

/// <summary>Usage rows summed from several sources (Redis and this replica's unsent deltas) for the current day and month.</summary>
internal sealed class LedgerTable
{
    private readonly Dictionary<(string Provider, string Model, string Client), Row> _rows = [];
    private readonly (DateTimeOffset Day, DateTimeOffset Month) _periods;

    public LedgerTable((DateTimeOffset Day, DateTimeOffset Month) periods) => _periods = periods;

    /// <summary>Adds usage of one period; periods other than the current day and month are ignored.</summary>
    public void Add(string provider, string model, string client, UsagePeriod period, long requests, long input, long output, IReadOnlyDictionary<string, double> cost)
    {
        var current = period.IsMonth ? period.Start == _periods.Month : period.Start == _periods.Day;
        if (!current)
        {
            return;
        }

        if (!_rows.TryGetValue((provider, model, client), out var row))
        {
            row = new Row();
            _rows[(provider, model, client)] = row;
        }

        ref var totals = ref (period.IsMonth ? ref row.Month : ref row.Day);
        totals = new UsageTotals(totals.Requests + requests, totals.InputTokens + input, totals.OutputTokens + output);
        var money = period.IsMonth ? row.MonthCost : row.DayCost;
        foreach (var (currency, amount) in cost)
        {
            money[currency] = money.GetValueOrDefault(currency) + amount;
        }
    }

    public IReadOnlyList<LedgerRow> Rows() =>
        [.. _rows
            .Select(r => new LedgerRow(r.Key.Provider, r.Key.Model, r.Key.Client, r.Value.Day, r.Value.DayCost, r.Value.Month, r.Value.MonthCost))
            .OrderBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.Client, StringComparer.Ordinal)];

    private sealed class Row
    {
        public UsageTotals Day;
        public UsageTotals Month;

        public Dictionary<string, double> DayCost { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, double> MonthCost { get; } = new(StringComparer.Ordinal);
    }
}
