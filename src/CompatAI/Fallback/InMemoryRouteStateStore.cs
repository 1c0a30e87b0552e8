using System.Collections.Concurrent;

namespace CompatAI;

/// <summary>
/// An <see cref="IRouteStateStore"/> in this process's memory: lets several <see cref="FallbackChatClient"/>s and
/// <see cref="RouterChatClient"/>s of one process share what they learn about the same routes (a cooldown seen by one is
/// honoured by all, one probe at a time after a break, one latency average). To share across processes use a store with
/// a shared backend (CompatAI.StackExchangeRedis's <c>RedisRouteStateStore</c>). Every method completes synchronously.
/// </summary>
/// <remarks>One small entry is kept per route key ever reported, for the store's lifetime.</remarks>
public sealed class InMemoryRouteStateStore : IRouteStateStore
{
    private readonly ConcurrentDictionary<string, Entry> _routes = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public SharedRouteState GetState(string routeKey)
    {
        ArgumentNullException.ThrowIfNull(routeKey);
        return _routes.TryGetValue(routeKey, out var entry) ? entry.Snapshot() : default;
    }

    /// <inheritdoc />
    public ValueTask ReportCooldownAsync(string routeKey, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entry = EntryOf(routeKey);
        lock (entry.Gate)
        {
            entry.CooldownTicks = Math.Max(entry.CooldownTicks, until.UtcTicks);
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask ReportCircuitOpenedAsync(string routeKey, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entry = EntryOf(routeKey);
        lock (entry.Gate)
        {
            entry.CircuitTicks = Math.Max(entry.CircuitTicks, until.UtcTicks);
            entry.LeaseTicks = 0;
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask ReportCircuitClosedAsync(string routeKey, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entry = EntryOf(routeKey);
        lock (entry.Gate)
        {
            if (entry.CircuitTicks <= now.UtcTicks)
            {
                entry.CircuitTicks = 0;
                entry.LeaseTicks = 0;
            }
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask<bool> TryAcquireProbeAsync(string routeKey, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entry = EntryOf(routeKey);
        lock (entry.Gate)
        {
            if (entry.LeaseTicks > now.UtcTicks)
            {
                return new ValueTask<bool>(false);
            }

            entry.LeaseTicks = (now + lease).UtcTicks;
            return new ValueTask<bool>(true);
        }
    }

    /// <inheritdoc />
    public ValueTask ReportLatencyAsync(string routeKey, TimeSpan latency, DateTimeOffset observedAt, TimeSpan halfLife, CancellationToken cancellationToken = default)
    {
        var entry = EntryOf(routeKey);
        lock (entry.Gate)
        {
            double weight = double.IsNaN(entry.LatencyMs) ? 1 : LatencyAverage.Weight(observedAt.UtcTicks - entry.LatencyAtTicks, halfLife.Ticks);
            entry.LatencyMs = LatencyAverage.Next(entry.LatencyMs, latency.TotalMilliseconds, weight);
            entry.LatencyAtTicks = Math.Max(entry.LatencyAtTicks, observedAt.UtcTicks);
        }

        return default;
    }

    private Entry EntryOf(string routeKey)
    {
        ArgumentNullException.ThrowIfNull(routeKey);
        return _routes.GetOrAdd(routeKey, static _ => new Entry());
    }

    private sealed class Entry
    {
        public Lock Gate { get; } = new();

        public long CooldownTicks { get; set; }

        public long CircuitTicks { get; set; }

        public long LeaseTicks { get; set; }

        public double LatencyMs { get; set; } = double.NaN;

        public long LatencyAtTicks { get; set; }

        public SharedRouteState Snapshot()
        {
            lock (Gate)
            {
                return new SharedRouteState(
                    CooldownTicks == 0 ? null : new DateTimeOffset(CooldownTicks, TimeSpan.Zero),
                    CircuitTicks == 0 ? null : new DateTimeOffset(CircuitTicks, TimeSpan.Zero),
                    double.IsNaN(LatencyMs) ? null : TimeSpan.FromMilliseconds(LatencyMs),
                    double.IsNaN(LatencyMs) ? null : new DateTimeOffset(LatencyAtTicks, TimeSpan.Zero));
            }
        }
    }
}
