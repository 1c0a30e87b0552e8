namespace CompatAI.Gateway.Management.Cluster;

/// <summary>Buckets summed from several sources (Redis and this replica's unsent deltas), read like <see cref="ProviderStatsStore"/>.</summary>
internal sealed class BucketTable : IStatsView
{
    private readonly Dictionary<(string Provider, string Model), Dictionary<long, ProviderStatsStore.Bucket>> _series = [];
    private readonly long _currentSlot;

    public BucketTable(long currentSlot) => _currentSlot = currentSlot;

    public IReadOnlyList<(string Provider, string Model)> Keys =>
        [.. _series.Keys.OrderBy(k => k.Provider, StringComparer.Ordinal).ThenBy(k => k.Model, StringComparer.Ordinal)];

    /// <summary>Adds <paramref name="bucket"/>'s figures to the slot of a series; slots outside the last hour are ignored.</summary>
    public void Add(string provider, string model, long slot, ProviderStatsStore.Bucket bucket)
    {
        if (slot > _currentSlot || slot <= _currentSlot - ProviderStatsStore.BucketCount)
        {
            return;
        }

        var target = BucketFor(provider, model, slot);
        target.Attempts += bucket.Attempts;
        target.Successes += bucket.Successes;
        target.Failures += bucket.Failures;
        target.Skipped += bucket.Skipped;
        target.InputTokens += bucket.InputTokens;
        target.OutputTokens += bucket.OutputTokens;
        target.SuccessSeconds += bucket.SuccessSeconds;
        target.LatencyCount += bucket.LatencyCount;
        target.TtftCount += bucket.TtftCount;
        for (var i = 0; i < LogHistogram.Bins; i++)
        {
            target.Latency[i] += bucket.Latency[i];
            target.Ttft[i] += bucket.Ttft[i];
        }
    }

    /// <summary>Returns the bucket of a series and slot, creating it empty.</summary>
    public ProviderStatsStore.Bucket BucketFor(string provider, string model, long slot)
    {
        if (!_series.TryGetValue((provider, model), out var slots))
        {
            slots = [];
            _series[(provider, model)] = slots;
        }

        if (!slots.TryGetValue(slot, out var bucket))
        {
            bucket = new ProviderStatsStore.Bucket();
            bucket.Reset(slot);
            slots[slot] = bucket;
        }

        return bucket;
    }

    public WindowFigures Window(int buckets, string? provider = null, string? model = null)
    {
        var figures = new WindowFigures();
        foreach (var ((p, m), slots) in _series)
        {
            if ((provider is null || p == provider) && (model is null || m == model))
            {
                foreach (var (slot, bucket) in slots)
                {
                    if (slot > _currentSlot - buckets)
                    {
                        figures.Add(bucket);
                    }
                }
            }
        }

        return figures;
    }

    public IReadOnlyList<(long Slot, WindowFigures Figures)> Timeline(string provider, int buckets)
    {
        var points = new List<(long, WindowFigures)>(buckets);
        for (var slot = _currentSlot - buckets + 1; slot <= _currentSlot; slot++)
        {
            var figures = new WindowFigures();
            foreach (var ((p, _), slots) in _series)
            {
                if (p == provider && slots.TryGetValue(slot, out var bucket))
                {
                    figures.Add(bucket);
                }
            }

            points.Add((slot, figures));
        }

        return points;
    }
}
