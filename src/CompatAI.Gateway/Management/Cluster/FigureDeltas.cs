namespace CompatAI.Gateway.Management.Cluster;

/// <summary>
/// The changes this replica made to its figures since they were last sent to Redis. Bounded like the local aggregates it
/// mirrors (series and ledger rows are capped there; buckets older than an hour and past periods are forgotten), so a
/// long Redis outage keeps at most the last hour of buckets and the current day and month of usage pending.
/// </summary>
internal sealed class FigureDeltas : IFigureDeltaSink
{
    /// <summary>Beyond this many pending buckets, old ones are trimmed at once rather than at the next send.</summary>
    private const int TrimAbove = 4096;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private FigureBatch _pending = new();

    public FigureDeltas(TimeProvider time) => _time = time;

    private long CurrentSlot => _time.GetUtcNow().ToUnixTimeSeconds() / ProviderStatsStore.BucketSeconds;

    public void Stats(string provider, string model, long slot, in ProviderStatsStore.Change change)
    {
        lock (_lock)
        {
            change.Apply(_pending.Bucket(provider, model, slot));
            if (_pending.Stats.Count > TrimAbove)
            {
                _pending.Trim(CurrentSlot, Periods());
            }
        }
    }

    public void Usage(string provider, string model, string client, (DateTimeOffset Day, DateTimeOffset Month) periods, long requests, long inputTokens, long outputTokens, string? currency, double cost)
    {
        lock (_lock)
        {
            _pending.AddUsage(provider, model, client, new UsagePeriod(false, periods.Day), requests, inputTokens, outputTokens, currency, cost);
            _pending.AddUsage(provider, model, client, new UsagePeriod(true, periods.Month), requests, inputTokens, outputTokens, currency, cost);
        }
    }

    /// <summary>Takes everything pending as one batch to send (and starts a new one), or <see langword="null"/> when nothing is.</summary>
    public FigureBatch? Take()
    {
        lock (_lock)
        {
            _pending.Trim(CurrentSlot, Periods());
            if (_pending.IsEmpty)
            {
                return null;
            }

            var batch = _pending;
            _pending = new FigureBatch();
            return batch;
        }
    }

    /// <summary>Adds what is pending to a merged view.</summary>
    public void AddPendingTo(BucketTable? stats, LedgerTable? ledger)
    {
        lock (_lock)
        {
            _pending.AddTo(stats, ledger);
        }
    }

    private (DateTimeOffset Day, DateTimeOffset Month) Periods()
    {
        var day = new DateTimeOffset(_time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        return (day, new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero));
    }
}
