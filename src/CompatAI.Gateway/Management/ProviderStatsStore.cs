using System.Collections.Concurrent;

namespace CompatAI.Gateway.Management;

/// <summary>
/// Per provider and model, the last hour of attempts in a ring of 240 buckets of 15 seconds: counts, tokens and
/// log-scale histograms of latency and time to first token. Memory is bounded: a fixed ring per series and at most
/// <see cref="GatewayManagementOptions.MaxSeries"/> series (further models of a provider count as <c>(other)</c>).
/// </summary>
internal sealed class ProviderStatsStore : Cluster.IStatsView
{
    public const int BucketSeconds = 15;
    public const int BucketCount = 240;
    public const string OtherModel = "(other)";

    private readonly ConcurrentDictionary<(string Provider, string Model), Series> _series = new();
    private readonly TimeProvider _time;
    private readonly int _maxSeries;
    private readonly Cluster.IFigureDeltaSink? _sink;

    public ProviderStatsStore(TimeProvider time, int maxSeries, Cluster.IFigureDeltaSink? sink = null)
    {
        _time = time;
        _maxSeries = maxSeries;
        _sink = sink;
    }

    public long CurrentSlot => _time.GetUtcNow().ToUnixTimeSeconds() / BucketSeconds;

    public static DateTimeOffset SlotStart(long slot) => DateTimeOffset.FromUnixTimeSeconds(slot * BucketSeconds);

    public void RecordAttempt(string provider, string model, string outcome) =>
        Update(provider, model, b =>
        {
            // A skipped attempt (circuit open) never reached the provider: counted apart, not as an attempt.
            if (outcome == GatewayMetrics.CircuitOpen)
            {
                b.Skipped++;
                return;
            }

            b.Attempts++;
            if (outcome == GatewayMetrics.Success)
            {
                b.Successes++;
            }
            else
            {
                b.Failures++;
            }
        });

    public void RecordDuration(string provider, string model, double seconds, bool success) =>
        Update(provider, model, b =>
        {
            b.Latency[LogHistogram.BinOf(seconds * 1000)]++;
            b.LatencyCount++;
            if (success)
            {
                b.SuccessSeconds += seconds;
            }
        });

    public void RecordTimeToFirstToken(string provider, string model, double seconds) =>
        Update(provider, model, b =>
        {
            b.Ttft[LogHistogram.BinOf(seconds * 1000)]++;
            b.TtftCount++;
        });

    public void RecordTokens(string provider, string model, string type, long tokens) =>
        Update(provider, model, b =>
        {
            if (type == "output")
            {
                b.OutputTokens += tokens;
            }
            else
            {
                b.InputTokens += tokens;
            }
        });

    public IReadOnlyList<(string Provider, string Model)> Keys => [.. _series.Keys.OrderBy(k => k.Provider, StringComparer.Ordinal).ThenBy(k => k.Model, StringComparer.Ordinal)];

    /// <summary>Sums the last <paramref name="buckets"/> buckets (the current, partly filled one included) of the matching series.</summary>
    public WindowFigures Window(int buckets, string? provider = null, string? model = null)
    {
        var figures = new WindowFigures();
        var now = CurrentSlot;
        foreach (var ((p, m), series) in _series)
        {
            if ((provider is null || p == provider) && (model is null || m == model))
            {
                series.AddTo(figures, now - buckets + 1, now);
            }
        }

        return figures;
    }

    /// <summary>Per bucket of the last <paramref name="buckets"/> buckets, the provider's figures over all its models (oldest first).</summary>
    public IReadOnlyList<(long Slot, WindowFigures Figures)> Timeline(string provider, int buckets)
    {
        var now = CurrentSlot;
        var points = new List<(long, WindowFigures)>(buckets);
        for (var slot = now - buckets + 1; slot <= now; slot++)
        {
            var figures = new WindowFigures();
            foreach (var ((p, _), series) in _series)
            {
                if (p == provider)
                {
                    series.AddTo(figures, slot, slot);
                }
            }

            points.Add((slot, figures));
        }

        return points;
    }

    private void Update(string provider, string model, Action<Bucket> change)
    {
        var key = (provider, model);
        if (!_series.TryGetValue(key, out var series))
        {
            if (_series.Count >= _maxSeries)
            {
                key = (provider, OtherModel);
            }

            series = _series.GetOrAdd(key, static _ => new Series());
        }

        var slot = CurrentSlot;
        series.Update(slot, change);
        _sink?.Stats(key.provider, key.model, slot, change);
    }

    /// <summary>What one bucket counts.</summary>
    internal sealed class Bucket
    {
        public long Slot = long.MinValue;
        public long Attempts;
        public long Successes;
        public long Failures;
        public long Skipped;
        public long InputTokens;
        public long OutputTokens;
        public double SuccessSeconds;
        public readonly long[] Latency = new long[LogHistogram.Bins];
        public long LatencyCount;
        public readonly long[] Ttft = new long[LogHistogram.Bins];
        public long TtftCount;

        public void Reset(long slot)
        {
            Slot = slot;
            Attempts = Successes = Failures = Skipped = InputTokens = OutputTokens = LatencyCount = TtftCount = 0;
            SuccessSeconds = 0;
            Array.Clear(Latency);
            Array.Clear(Ttft);
        }
    }

    private sealed class Series
    {
        private readonly Bucket?[] _ring = new Bucket?[BucketCount];
        private readonly Lock _lock = new();

        public void Update(long slot, Action<Bucket> change)
        {
            lock (_lock)
            {
                var index = (int)(((slot % BucketCount) + BucketCount) % BucketCount);
                var bucket = _ring[index] ??= new Bucket();
                if (bucket.Slot != slot)
                {
                    bucket.Reset(slot);
                }

                change(bucket);
            }
        }

        public void AddTo(WindowFigures figures, long fromSlot, long toSlot)
        {
            lock (_lock)
            {
                foreach (var bucket in _ring)
                {
                    if (bucket is not null && bucket.Slot >= fromSlot && bucket.Slot <= toSlot)
                    {
                        figures.Add(bucket);
                    }
                }
            }
        }
    }
}

/// <summary>Figures summed over some buckets.</summary>
internal sealed class WindowFigures
{
    public long Attempts { get; private set; }

    public long Successes { get; private set; }

    public long Failures { get; private set; }

    public long Skipped { get; private set; }

    public long InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public double SuccessSeconds { get; private set; }

    public long[] Latency { get; } = new long[LogHistogram.Bins];

    public long LatencyCount { get; private set; }

    public long[] Ttft { get; } = new long[LogHistogram.Bins];

    public long TtftCount { get; private set; }

    /// <summary>Successes over tried attempts (skipped ones excluded); <see langword="null"/> when nothing was tried.</summary>
    public double? SuccessRate => Successes + Failures == 0 ? null : (double)Successes / (Successes + Failures);

    public void Add(ProviderStatsStore.Bucket bucket)
    {
        Attempts += bucket.Attempts;
        Successes += bucket.Successes;
        Failures += bucket.Failures;
        Skipped += bucket.Skipped;
        InputTokens += bucket.InputTokens;
        OutputTokens += bucket.OutputTokens;
        SuccessSeconds += bucket.SuccessSeconds;
        LatencyCount += bucket.LatencyCount;
        TtftCount += bucket.TtftCount;
        for (var i = 0; i < LogHistogram.Bins; i++)
        {
            Latency[i] += bucket.Latency[i];
            Ttft[i] += bucket.Ttft[i];
        }
    }
}
