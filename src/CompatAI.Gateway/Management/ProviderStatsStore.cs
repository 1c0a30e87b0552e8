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
        Update(provider, model, new Change(ChangeKind.Attempt, outcome: outcome));

    public void RecordDuration(string provider, string model, double seconds, bool success) =>
        Update(provider, model, new Change(ChangeKind.Duration, seconds: seconds, success: success));

    public void RecordTimeToFirstToken(string provider, string model, double seconds) =>
        Update(provider, model, new Change(ChangeKind.TimeToFirstToken, seconds: seconds));

    public void RecordTokens(string provider, string model, string type, long tokens) =>
        Update(provider, model, new Change(ChangeKind.Tokens, outcome: type, tokens: tokens));

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

    private void Update(string provider, string model, in Change change)
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

    /// <summary>What one measurement changes in a bucket.</summary>
    internal enum ChangeKind
    {
        Attempt,
        Duration,
        TimeToFirstToken,
        Tokens,
    }

    /// <summary>
    /// One measurement's change to a bucket, applied to the local series and handed to the cluster's delta sink: a value,
    /// not a closure, so that recording allocates nothing per measurement.
    /// </summary>
    internal readonly struct Change
    {
        private readonly ChangeKind _kind;
        private readonly string? _outcome;
        private readonly double _seconds;
        private readonly long _tokens;
        private readonly bool _success;

        public Change(ChangeKind kind, string? outcome = null, double seconds = 0, long tokens = 0, bool success = false)
        {
            _kind = kind;
            _outcome = outcome;
            _seconds = seconds;
            _tokens = tokens;
            _success = success;
        }

        public void Apply(Bucket b)
        {
            switch (_kind)
            {
                case ChangeKind.Attempt:
                    // A skipped attempt (circuit open) never reached the provider: counted apart, not as an attempt.
                    if (_outcome == GatewayMetrics.CircuitOpen)
                    {
                        b.Skipped++;
                        return;
                    }

                    b.Attempts++;
                    if (_outcome == GatewayMetrics.Success)
                    {
                        b.Successes++;
                    }
                    else
                    {
                        b.Failures++;
                    }

                    break;
                case ChangeKind.Duration:
                    b.Latency[LogHistogram.BinOf(_seconds * 1000)]++;
                    b.LatencyCount++;
                    if (_success)
                    {
                        b.SuccessSeconds += _seconds;
                    }

                    break;
                case ChangeKind.TimeToFirstToken:
                    b.Ttft[LogHistogram.BinOf(_seconds * 1000)]++;
                    b.TtftCount++;
                    break;
                case ChangeKind.Tokens:
                    if (_outcome == "output")
                    {
                        b.OutputTokens += _tokens;
                    }
                    else
                    {
                        b.InputTokens += _tokens;
                    }

                    break;
            }
        }
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

        public void Update(long slot, in Change change)
        {
            lock (_lock)
            {
                var index = (int)(((slot % BucketCount) + BucketCount) % BucketCount);
                var bucket = _ring[index] ??= new Bucket();
                if (bucket.Slot != slot)
                {
                    bucket.Reset(slot);
                }

                change.Apply(bucket);
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
