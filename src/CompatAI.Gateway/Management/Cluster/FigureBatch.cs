namespace CompatAI.Gateway.Management.Cluster;

/// <summary>
/// Figures this replica recorded that Redis does not hold yet: bucket deltas per provider, model and 15-second slot, and
/// usage deltas per ledger row and period. A batch taken for sending is never changed again; its <see cref="Id"/> makes
/// sending it twice (a retry after a timeout) count it once.
/// </summary>
internal sealed class FigureBatch
{
    public string Id { get; } = Guid.NewGuid().ToString("N");

    public Dictionary<(string Provider, string Model, long Slot), ProviderStatsStore.Bucket> Stats { get; } = [];

    public Dictionary<(string Provider, string Model, string Client, UsagePeriod Period), UsageDelta> Usage { get; } = [];

    public bool IsEmpty => Stats.Count == 0 && Usage.Count == 0;

    public ProviderStatsStore.Bucket Bucket(string provider, string model, long slot)
    {
        if (!Stats.TryGetValue((provider, model, slot), out var bucket))
        {
            bucket = new ProviderStatsStore.Bucket();
            bucket.Reset(slot);
            Stats[(provider, model, slot)] = bucket;
        }

        return bucket;
    }

    public void AddUsage(string provider, string model, string client, UsagePeriod period, long requests, long input, long output, string? currency, double cost)
    {
        if (!Usage.TryGetValue((provider, model, client, period), out var delta))
        {
            delta = new UsageDelta();
            Usage[(provider, model, client, period)] = delta;
        }

        delta.Requests += requests;
        delta.InputTokens += input;
        delta.OutputTokens += output;
        if (currency is not null)
        {
            delta.Cost[currency] = delta.Cost.GetValueOrDefault(currency) + cost;
        }
    }

    /// <summary>Forgets figures no endpoint reads any more: buckets older than the last hour, days before yesterday, months before the last.</summary>
    public void Trim(long currentSlot, (DateTimeOffset Day, DateTimeOffset Month) periods)
    {
        foreach (var key in Stats.Keys.Where(k => k.Slot <= currentSlot - ProviderStatsStore.BucketCount).ToList())
        {
            Stats.Remove(key);
        }

        var oldestDay = periods.Day.AddDays(-1);
        var oldestMonth = periods.Month.AddMonths(-1);
        foreach (var key in Usage.Keys.Where(k => k.Period.Start < (k.Period.IsMonth ? oldestMonth : oldestDay)).ToList())
        {
            Usage.Remove(key);
        }
    }

    /// <summary>Adds this batch's figures to a merged view.</summary>
    public void AddTo(BucketTable? stats, LedgerTable? ledger)
    {
        if (stats is not null)
        {
            foreach (var ((provider, model, slot), bucket) in Stats)
            {
                stats.Add(provider, model, slot, bucket);
            }
        }

        if (ledger is not null)
        {
            foreach (var ((provider, model, client, period), delta) in Usage)
            {
                ledger.Add(provider, model, client, period, delta.Requests, delta.InputTokens, delta.OutputTokens, delta.Cost);
            }
        }
    }
}

/// <summary>A UTC day or month, by its start.</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)]
internal readonly record struct UsagePeriod(bool IsMonth, DateTimeOffset Start)
{
    /// <summary>The period's name in Redis keys: <c>day:2026-12-01</c> or <c>month:2026-12</c>.</summary>
    public string Name => IsMonth
        ? "month:" + Start.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)
        : "day:" + Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Usage added to one ledger row in one period.</summary>
internal sealed class UsageDelta
{
    public long Requests { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public Dictionary<string, double> Cost { get; } = new(StringComparer.Ordinal);
}
