using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CompatAI.Tests.Telemetry;

/// <summary>
/// The OpenTelemetry SDK with its in-memory exporters, subscribed to CompatAI's source and meter (by their documented
/// names) and to the test's own sources.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;
    private readonly List<Activity> _spans = [];
    private readonly List<MetricSnapshot> _metrics = [];

    public TelemetryCapture(params string[] extraSources)
    {
        _tracer = Sdk.CreateTracerProviderBuilder().AddSource([CompatTelemetry.SourceName, .. extraSources]).AddInMemoryExporter(_spans).Build()!;
        _meter = Sdk.CreateMeterProviderBuilder().AddMeter(CompatTelemetry.MeterName).AddInMemoryExporter(_metrics).Build()!;
    }

    /// <summary>The finished spans exported so far.</summary>
    public IReadOnlyList<Activity> Spans
    {
        get
        {
            _tracer.ForceFlush();
            return [.. _spans];
        }
    }

    /// <summary>The current value of a counter for the points whose tags include <paramref name="tags"/>.</summary>
    public long Sum(string metric, params (string Key, string Value)[] tags)
    {
        long sum = 0;
        foreach (var point in Points(metric))
        {
            if (tags.All(t => point.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
            {
                sum += point.Sum;
            }
        }

        return sum;
    }

    /// <summary>The sum and count of a histogram over the points whose tags include <paramref name="tags"/>.</summary>
    public (double Sum, long Count) Histogram(string metric, params (string Key, string Value)[] tags)
    {
        _meter.ForceFlush();
        double sum = 0;
        long count = 0;
        foreach (var point in _metrics.LastOrDefault(m => m.Name == metric)?.MetricPoints ?? [])
        {
            var own = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in point.Tags)
            {
                own[tag.Key] = tag.Value;
            }

            if (tags.All(t => own.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
            {
                sum += point.GetHistogramSum();
                count += point.GetHistogramCount();
            }
        }

        return (sum, count);
    }

    /// <summary>Every tag value of every metric point and every span (its tags and its events' tags), for secrecy checks.</summary>
    public IEnumerable<string> AllTagText()
    {
        foreach (var span in Spans)
        {
            yield return span.DisplayName;
            foreach (var tag in span.TagObjects)
            {
                yield return tag.Key + "=" + tag.Value;
            }

            foreach (var e in span.Events)
            {
                yield return e.Name;
                foreach (var tag in e.Tags)
                {
                    yield return tag.Key + "=" + tag.Value;
                }
            }
        }

        _meter.ForceFlush();
        foreach (var snapshot in _metrics.ToList())
        {
            foreach (var point in snapshot.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    yield return tag.Key + "=" + tag.Value;
                }
            }
        }
    }

    private List<(Dictionary<string, object?> Tags, long Sum)> Points(string metric)
    {
        _meter.ForceFlush();
        var latest = _metrics.LastOrDefault(m => m.Name == metric);
        var points = new List<(Dictionary<string, object?>, long)>();
        if (latest is null)
        {
            return points;
        }

        foreach (var point in latest.MetricPoints)
        {
            var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in point.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            points.Add((tags, point.GetSumLong()));
        }

        return points;
    }

    public void Dispose()
    {
        _tracer.Dispose();
        _meter.Dispose();
    }
}
