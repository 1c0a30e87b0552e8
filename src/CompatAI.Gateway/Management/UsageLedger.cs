using System.Collections.Concurrent;

namespace CompatAI.Gateway.Management;

/// <summary>
/// Tokens, requests and cost per provider, model and client key id, for the current UTC day and month. Bounded: at most
/// <see cref="GatewayManagementOptions.MaxLedgerRows"/> rows; further keys are counted as <c>(other)</c>. Totals restart
/// at a new day or month (process memory only; a restart also starts from zero).
/// </summary>
internal sealed class UsageLedger
{
    public const string OtherClient = "(other)";

    private readonly ConcurrentDictionary<(string Provider, string Model, string Client), Row> _rows = new();
    private readonly TimeProvider _time;
    private readonly int _maxRows;
    private readonly Cluster.IFigureDeltaSink? _sink;

    public UsageLedger(TimeProvider time, int maxRows, Cluster.IFigureDeltaSink? sink = null)
    {
        _time = time;
        _maxRows = maxRows;
        _sink = sink;
    }

    public (DateTimeOffset Day, DateTimeOffset Month) Periods
    {
        get
        {
            var now = _time.GetUtcNow();
            var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
            return (day, new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero));
        }
    }

    public void AddRequest(string provider, string model, string client) => Add(provider, model, client, 1, 0, 0, null, 0);

    public void AddTokens(string provider, string model, string client, string type, long tokens) =>
        Add(provider, model, client, 0, type == "output" ? 0 : tokens, type == "output" ? tokens : 0, null, 0);

    public void AddCost(string provider, string model, string client, string currency, double amount) =>
        Add(provider, model, client, 0, 0, 0, currency, amount);

    private void Add(string provider, string model, string client, long requests, long input, long output, string? currency, double cost)
    {
        var periods = Periods;
        var (key, row) = RowFor(provider, model, client);
        row.Add(periods, requests, input, output, currency, cost);
        _sink?.Usage(key.Provider, key.Model, key.Client, periods, requests, input, output, currency, cost);
    }

    public IReadOnlyList<LedgerRow> Snapshot()
    {
        var periods = Periods;
        return [.. _rows
            .Select(r => r.Value.Read(r.Key.Provider, r.Key.Model, r.Key.Client, periods))
            .OrderBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.Client, StringComparer.Ordinal)];
    }

    private ((string Provider, string Model, string Client) Key, Row Row) RowFor(string provider, string model, string client)
    {
        var key = (provider, model, client);
        if (_rows.TryGetValue(key, out var row))
        {
            return (key, row);
        }

        if (_rows.Count >= _maxRows)
        {
            key = (provider, model, OtherClient);
        }

        return (key, _rows.GetOrAdd(key, static _ => new Row()));
    }

    private sealed class Row
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, double> _dayCost = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double> _monthCost = new(StringComparer.Ordinal);
        private DateTimeOffset _day;
        private DateTimeOffset _month;
        private UsageTotals _dayTotals;
        private UsageTotals _monthTotals;

        public void Add((DateTimeOffset Day, DateTimeOffset Month) periods, long requests, long input, long output, string? currency, double cost)
        {
            lock (_lock)
            {
                Roll(periods);
                _dayTotals = new(_dayTotals.Requests + requests, _dayTotals.InputTokens + input, _dayTotals.OutputTokens + output);
                _monthTotals = new(_monthTotals.Requests + requests, _monthTotals.InputTokens + input, _monthTotals.OutputTokens + output);
                if (currency is not null)
                {
                    _dayCost[currency] = _dayCost.GetValueOrDefault(currency) + cost;
                    _monthCost[currency] = _monthCost.GetValueOrDefault(currency) + cost;
                }
            }
        }

        public LedgerRow Read(string provider, string model, string client, (DateTimeOffset Day, DateTimeOffset Month) periods)
        {
            lock (_lock)
            {
                Roll(periods);
                return new LedgerRow(provider, model, client, _dayTotals, new Dictionary<string, double>(_dayCost, StringComparer.Ordinal), _monthTotals, new Dictionary<string, double>(_monthCost, StringComparer.Ordinal));
            }
        }

        private void Roll((DateTimeOffset Day, DateTimeOffset Month) periods)
        {
            if (_day != periods.Day)
            {
                _day = periods.Day;
                _dayTotals = default;
                _dayCost.Clear();
            }

            if (_month != periods.Month)
            {
                _month = periods.Month;
                _monthTotals = default;
                _monthCost.Clear();
            }
        }
    }
}

/// <summary>Requests and tokens over a period.</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)]
internal readonly record struct UsageTotals(long Requests, long InputTokens, long OutputTokens);

/// <summary>One ledger row as read.</summary>
internal sealed record LedgerRow(
    string Provider,
    string Model,
    string Client,
    UsageTotals Day,
    IReadOnlyDictionary<string, double> DayCost,
    UsageTotals Month,
    IReadOnlyDictionary<string, double> MonthCost);
