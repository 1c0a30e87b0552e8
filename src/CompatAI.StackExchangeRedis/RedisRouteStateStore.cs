using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CompatAI;

/// <summary>
/// An <see cref="IRouteStateStore"/> shared through Redis by every process that uses the same Redis and
/// <see cref="CompatRedisOptions.KeyPrefix"/>: Retry-After cooldowns, open circuits with a one-prober lease, and latency
/// averages. Reads come from a local mirror, kept current by one pub/sub channel and re-read from Redis whenever the
/// connection is (re)established; writes update the mirror at once and then Redis (an atomic script that also publishes).
/// </summary>
/// <remarks>
/// <para>
/// Keys: <c>&lt;prefix&gt;route:cooldown:&lt;route&gt;</c> and <c>route:circuit:&lt;route&gt;</c> (the end of the
/// cooldown or break, Unix milliseconds; a later value always wins), <c>route:probe:&lt;route&gt;</c> (the probe lease,
/// <c>SET NX PX</c>) and <c>route:latency:&lt;route&gt;</c> (a hash of the average and the last observation's time); every
/// key expires (a cooldown at its end, a circuit five minutes after its break, the probe lease after its lease, a latency
/// average after an hour without observations). Channel: <c>&lt;prefix&gt;route-state</c>.
/// </para>
/// <para>
/// Redis being slow or unreachable never fails or holds up a request: every call is bounded by
/// <see cref="CompatRedisOptions.OperationTimeout"/> (and fails at once while disconnected), errors are logged once per
/// outage, and the process goes on with its mirror (its own reports included; the probe lease is then decided locally).
/// When Redis returns, the subscription is restored, the mirror re-read, and the cooldowns and breaks this process
/// reported meanwhile that are still in force are written, so the other processes learn what they missed.
/// </para>
/// </remarks>
public sealed partial class RedisRouteStateStore : IRouteStateStore, IDisposable
{
    private static readonly TimeSpan s_circuitRetention = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_latencyRetention = TimeSpan.FromHours(1);
    private static readonly EndKind[] s_endKinds = [EndKind.Cooldown, EndKind.Circuit];

    // Max-merge of an end time (cooldown or break): KEYS[1] the end, KEYS[2] the probe lease to release (or the same key);
    // ARGV: end (ms), expiry (ms), channel, message. Publishes only when the value changed.
    private const string MergeEndScript = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        if current >= tonumber(ARGV[1]) then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        if KEYS[2] ~= KEYS[1] then redis.call('DEL', KEYS[2]) end
        redis.call('PUBLISH', ARGV[3], ARGV[4])
        return 1
        """;

    // Close a circuit whose break has ended: KEYS[1] circuit, KEYS[2] probe lease; ARGV: now (ms), channel, message.
    private const string CloseScript = """
        local current = redis.call('GET', KEYS[1])
        if current and tonumber(current) > tonumber(ARGV[1]) then return 0 end
        redis.call('DEL', KEYS[1], KEYS[2])
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """;

    // Decaying latency average: KEYS[1] the hash; ARGV: observed (ms), observed at (ms), half-life (ms), expiry (ms), channel, route key.
    private const string LatencyScript = """
        local observed = tonumber(ARGV[1])
        local at = tonumber(ARGV[2])
        local average = observed
        local previous = redis.call('HMGET', KEYS[1], 'ms', 'at')
        if previous[1] then
          local last = tonumber(previous[2])
          local weight = 1 - 2 ^ (-math.max(0, at - last) / tonumber(ARGV[3]))
          if weight < 0.3 then weight = 0.3 end
          average = tonumber(previous[1]) + weight * (observed - tonumber(previous[1]))
          if last > at then at = last end
        end
        local ms = string.format('%.3f', average)
        local when = string.format('%d', at)
        redis.call('HSET', KEYS[1], 'ms', ms, 'at', when)
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('PUBLISH', ARGV[5], 'l|' .. ms .. '|' .. when .. '|' .. ARGV[6])
        return ms
        """;

    /// <summary>How long the subscription may take to deliver this process's own echo after a (re)connection.</summary>
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long after a missing echo the resynchronization is tried again.</summary>
    private static readonly TimeSpan EchoRetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly CompatRedisConnection _connection;
    private readonly ILogger _logger;
    private readonly RedisChannel _channel;
    private readonly string _keyPrefix;
    private readonly RedisValue _owner = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, MirrorEntry> _mirror = new(StringComparer.Ordinal);
    private readonly Lock _subscribeGate = new();
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _echoes = new(StringComparer.Ordinal);
    private int _resyncScheduled;
    private ChannelMessageQueue? _subscription;
    private int _outage = 1;
    private int _disposed;

    /// <summary>Creates the store, subscribes to the channel and reads what Redis holds (in the background).</summary>
    /// <param name="connection">The Redis connection (see <c>AddCompatRedis</c>).</param>
    /// <param name="logger">The logger for outages. Default: none.</param>
    public RedisRouteStateStore(CompatRedisConnection connection, ILogger<RedisRouteStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _channel = RedisChannel.Literal(connection.Options.KeyPrefix + "route-state");
        _keyPrefix = connection.Options.KeyPrefix + "route:";
        connection.Multiplexer.ConnectionRestored += OnConnectionRestored;
        connection.Multiplexer.ConnectionFailed += OnConnectionFailed;
        _ = Task.Run(SynchronizeAsync);
    }

    /// <summary>
    /// Gets whether state is shared right now: Redis is connected, this process's subscription was seen delivering a
    /// message of its own after the last (re)connection, and the mirror was read back from Redis after that. While it is
    /// <see langword="false"/> (Redis down, or reconnected but not yet resynchronized) the process works with its own state.
    /// </summary>
    public bool IsSharing => Volatile.Read(ref _outage) == 0 && _connection.IsConnected;

    /// <summary>Gets a task that completes when the store first subscribed and read Redis (it stays pending while Redis is unreachable).</summary>
    internal Task FirstSynchronization => _firstSync.Task;

    /// <inheritdoc />
    public SharedRouteState GetState(string routeKey)
    {
        ArgumentNullException.ThrowIfNull(routeKey);
        return _mirror.TryGetValue(routeKey, out var entry) ? entry.Snapshot() : default;
    }

    /// <inheritdoc />
    public async ValueTask ReportCooldownAsync(string routeKey, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entry = Mirror(routeKey);
        entry.MergeCooldown(until.ToUnixTimeMilliseconds());
        if (until > now && !await MergeEndAsync(EndKind.Cooldown, routeKey, until.ToUnixTimeMilliseconds(), until - now).ConfigureAwait(false))
        {
            entry.KeepForLater(EndKind.Cooldown, until.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds());
        }
    }

    /// <inheritdoc />
    public async ValueTask ReportCircuitOpenedAsync(string routeKey, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entry = Mirror(routeKey);
        entry.MergeCircuit(until.ToUnixTimeMilliseconds());
        if (until > now && !await MergeEndAsync(EndKind.Circuit, routeKey, until.ToUnixTimeMilliseconds(), until - now).ConfigureAwait(false))
        {
            entry.KeepForLater(EndKind.Circuit, until.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds());
        }
    }

    /// <inheritdoc />
    public async ValueTask ReportCircuitClosedAsync(string routeKey, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        long nowMs = now.ToUnixTimeMilliseconds();
        Mirror(routeKey).Close(nowMs);
        await RunAsync(
            CloseScript,
            [Key("circuit", routeKey), Key("probe", routeKey)],
            [nowMs, _channel.ToString(), $"x|{nowMs.ToString(CultureInfo.InvariantCulture)}|{routeKey}"]).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryAcquireProbeAsync(string routeKey, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entry = Mirror(routeKey);
        if (!entry.TryLease(now.ToUnixTimeMilliseconds(), (now + lease).ToUnixTimeMilliseconds()))
        {
            return false; // another request of this process is probing
        }

        if (!_connection.IsConnected)
        {
            NoteOutage();
            return true; // decided with local state only
        }

        try
        {
            bool won = await _connection.Multiplexer.GetDatabase().StringSetAsync(Key("probe", routeKey), _owner, lease, When.NotExists).ConfigureAwait(false);
            if (!won)
            {
                entry.ReleaseLease();
            }

            return won;
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            NoteOutage();
            return true;
        }
    }

    /// <inheritdoc />
    public async ValueTask ReportLatencyAsync(string routeKey, TimeSpan latency, DateTimeOffset observedAt, TimeSpan halfLife, CancellationToken cancellationToken = default)
    {
        var entry = Mirror(routeKey);
        long atMs = observedAt.ToUnixTimeMilliseconds();
        var result = await RunAsync(
            LatencyScript,
            [Key("latency", routeKey)],
            [latency.TotalMilliseconds, atMs, Math.Max(1, (long)halfLife.TotalMilliseconds), (long)s_latencyRetention.TotalMilliseconds, _channel.ToString(), routeKey]).ConfigureAwait(false);
        if (result is null)
        {
            // Redis is unreachable: keep the average locally until it returns.
            entry.ObserveLocally(latency.TotalMilliseconds, atMs, halfLife);
        }
        else if (double.TryParse((string?)result, NumberStyles.Float, CultureInfo.InvariantCulture, out double average))
        {
            entry.SetLatency(average, atMs);
        }
    }

    /// <summary>Stops listening to the channel; the connection stays open (it is shared).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _connection.Multiplexer.ConnectionRestored -= OnConnectionRestored;
        _connection.Multiplexer.ConnectionFailed -= OnConnectionFailed;
        ChannelMessageQueue? subscription;
        lock (_subscribeGate)
        {
            subscription = _subscription;
            _subscription = null;
        }

        if (subscription is not null && _connection.IsConnected)
        {
            try
            {
                subscription.Unsubscribe(CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None) || ex is ObjectDisposedException)
            {
                LogUnsubscribeFailed(_logger, ex.GetType().Name);
            }
        }
    }

    private RedisKey Key(string kind, string routeKey) => _keyPrefix + kind + ":" + routeKey;

    private MirrorEntry Mirror(string routeKey)
    {
        ArgumentNullException.ThrowIfNull(routeKey);
        return _mirror.GetOrAdd(routeKey, static _ => new MirrorEntry());
    }

    /// <summary>Writes a cooldown or break end (a later one already there wins) and publishes it; returns whether Redis was reached.</summary>
    private async ValueTask<bool> MergeEndAsync(EndKind kind, string routeKey, long untilMs, TimeSpan remaining)
    {
        bool circuit = kind == EndKind.Circuit;
        var key = Key(circuit ? "circuit" : "cooldown", routeKey);
        var expiry = circuit ? remaining + s_circuitRetention : remaining;
        var result = await RunAsync(
            MergeEndScript,
            [key, circuit ? Key("probe", routeKey) : key],
            [untilMs, Math.Max(1, (long)expiry.TotalMilliseconds), _channel.ToString(), $"{(circuit ? 'o' : 'c')}|{untilMs.ToString(CultureInfo.InvariantCulture)}|{routeKey}"]).ConfigureAwait(false);
        return result is not null;
    }

    /// <summary>Writes the cooldowns and breaks this process reported while Redis was unreachable and that are still in force.</summary>
    private async Task WriteBackAsync()
    {
        foreach (var (routeKey, entry) in _mirror)
        {
            foreach (var kind in s_endKinds)
            {
                if (entry.TakeKept(kind) is not { } kept)
                {
                    continue;
                }

                // The reporter's clock, moved on by the time since the report.
                long nowMs = kept.ReportedAtMs + (long)Stopwatch.GetElapsedTime(kept.Timestamp).TotalMilliseconds;
                if (kept.UntilMs > nowMs && !await MergeEndAsync(kind, routeKey, kept.UntilMs, TimeSpan.FromMilliseconds(kept.UntilMs - nowMs)).ConfigureAwait(false))
                {
                    entry.KeepForLater(kind, kept.UntilMs, kept.ReportedAtMs, kept.Timestamp);
                    return;
                }
            }
        }
    }

    /// <summary>Runs a script, or returns <see langword="null"/> when Redis is unreachable or too slow (the outage is logged once).</summary>
    private async ValueTask<RedisResult?> RunAsync(string script, RedisKey[] keys, RedisValue[] values)
    {
        if (!_connection.IsConnected)
        {
            NoteOutage();
            return null;
        }

        try
        {
            return await _connection.Multiplexer.GetDatabase().ScriptEvaluateAsync(script, keys, values).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            NoteOutage();
            return null;
        }
    }

    private void NoteOutage()
    {
        if (Interlocked.Exchange(ref _outage, 1) == 0)
        {
            LogGoingLocal(_logger);
        }

        // A lost connection resynchronizes when StackExchange.Redis restores it (OnConnectionRestored). A command that
        // failed on a connection that is still up (a timeout while Redis was slow) gets no such event: without this the
        // store would stay on local state for good.
        if (_connection.IsConnected)
        {
            ScheduleResynchronization();
        }
    }

    /// <summary>Runs <see cref="SynchronizeAsync"/> again shortly; at most one is waiting at a time.</summary>
    private void ScheduleResynchronization()
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _resyncScheduled, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            await Task.Delay(EchoRetryDelay).ConfigureAwait(false);
            Volatile.Write(ref _resyncScheduled, 0);
            await SynchronizeAsync().ConfigureAwait(false);
        });
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) => NoteOutage();

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => _ = Task.Run(SynchronizeAsync);

    /// <summary>Subscribes (once; StackExchange.Redis restores the subscription after a reconnect) and reads every route key into the mirror.</summary>
    private async Task SynchronizeAsync()
    {
        if (Volatile.Read(ref _disposed) != 0 || !_connection.IsConnected)
        {
            return;
        }

        try
        {
            if (Volatile.Read(ref _subscription) is null)
            {
                var queue = await _connection.Multiplexer.GetSubscriber().SubscribeAsync(_channel).ConfigureAwait(false);
                lock (_subscribeGate)
                {
                    if (_subscription is null && Volatile.Read(ref _disposed) == 0)
                    {
                        _subscription = queue;
                        queue.OnMessage(Apply);
                    }
                    else
                    {
                        queue.Unsubscribe(CommandFlags.FireAndForget);
                    }
                }
            }

            // StackExchange.Redis re-sends SUBSCRIBE after a reconnection on its own schedule. Until a message of this
            // process comes back through the subscription, a change another process publishes could be missed, so the
            // read-back waits for that echo (and is tried again shortly when it does not come).
            if (!await EchoAsync().ConfigureAwait(false))
            {
                NoteOutage(); // and tried again shortly
                return;
            }

            int routes = await ReadAllAsync().ConfigureAwait(false);
            await WriteBackAsync().ConfigureAwait(false);
            if (Interlocked.Exchange(ref _outage, 0) == 1 && _firstSync.Task.IsCompleted)
            {
                LogResynchronized(_logger, routes);
            }

            _firstSync.TrySetResult();
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            NoteOutage();
        }
    }

    /// <summary>Publishes a message of this process on the channel and waits (bounded) until the subscription delivers it.</summary>
    private async Task<bool> EchoAsync()
    {
        string nonce = Guid.NewGuid().ToString("N");
        var echo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _echoes[nonce] = echo;
        try
        {
            await _connection.Multiplexer.GetSubscriber().PublishAsync(_channel, "e|" + nonce).ConfigureAwait(false);
            return await Task.WhenAny(echo.Task, Task.Delay(EchoTimeout)).ConfigureAwait(false) == echo.Task;
        }
        finally
        {
            _echoes.TryRemove(nonce, out _);
        }
    }

    /// <summary>Reads every route key under the prefix (SCAN on each primary) into the mirror; returns how many keys were read.</summary>
    private async Task<int> ReadAllAsync()
    {
        var db = _connection.Multiplexer.GetDatabase();
        int count = 0;
        string pattern = EscapeGlob(_keyPrefix) + "*";
        foreach (var endPoint in _connection.Multiplexer.GetEndPoints())
        {
            var server = _connection.Multiplexer.GetServer(endPoint);
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(db.Database, pattern, pageSize: 250).ConfigureAwait(false))
            {
                string name = ((string?)key)![_keyPrefix.Length..];
                int colon = name.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }

                string kind = name[..colon], routeKey = name[(colon + 1)..];
                switch (kind)
                {
                    case "cooldown" when (long?)await db.StringGetAsync(key).ConfigureAwait(false) is { } until:
                        Mirror(routeKey).MergeCooldown(until);
                        count++;
                        break;
                    case "circuit" when (long?)await db.StringGetAsync(key).ConfigureAwait(false) is { } until:
                        Mirror(routeKey).MergeCircuit(until);
                        count++;
                        break;
                    case "latency":
                        var fields = await db.HashGetAsync(key, ["ms", "at"]).ConfigureAwait(false);
                        if (double.TryParse((string?)fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) && long.TryParse((string?)fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long at))
                        {
                            Mirror(routeKey).SetLatency(ms, at);
                            count++;
                        }

                        break;
                }
            }
        }

        return count;
    }

    /// <summary>Applies one message of the channel (they arrive in order): <c>c|end|route</c>, <c>o|end|route</c>, <c>x|now|route</c>, <c>l|ms|at|route</c>.</summary>
    private void Apply(ChannelMessage message)
    {
        string? text = message.Message;
        if (text is not null && text.StartsWith("e|", StringComparison.Ordinal))
        {
            // An echo (see EchoAsync): only the process that sent it waits for it.
            if (_echoes.TryGetValue(text[2..], out var echo))
            {
                echo.TrySetResult();
            }

            return;
        }

        if (text is null || text.Length < 4 || text[1] != '|')
        {
            return;
        }

        var parts = text.Split('|', text[0] == 'l' ? 4 : 3);
        if (parts.Length < 3 || !long.TryParse(parts[text[0] == 'l' ? 2 : 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
        {
            return;
        }

        switch (text[0])
        {
            case 'c':
                Mirror(parts[2]).MergeCooldown(value);
                break;
            case 'o':
                Mirror(parts[2]).MergeCircuit(value);
                break;
            case 'x':
                Mirror(parts[2]).Close(value);
                break;
            case 'l' when parts.Length == 4 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double ms):
                Mirror(parts[3]).SetLatency(ms, value);
                break;
        }
    }

    private static string EscapeGlob(string text)
    {
        var escaped = new System.Text.StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    [LoggerMessage(1, LogLevel.Warning, "Route state (cooldowns, circuits, latency) cannot be shared while Redis is unreachable; this process goes on with its own until it returns.")]
    private static partial void LogGoingLocal(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Route state is shared through Redis again; {Keys} route keys were read back.")]
    private static partial void LogResynchronized(ILogger logger, int keys);

    [LoggerMessage(3, LogLevel.Debug, "Unsubscribing from the route state channel failed ({ErrorType}).")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string errorType);

    /// <summary>The two kinds of end time the store merges.</summary>
    private enum EndKind
    {
        Cooldown,
        Circuit,
    }

    /// <summary>A report made while Redis was unreachable: the end, the reporter's time then, and a <see cref="Stopwatch"/> timestamp of it.</summary>
    private sealed record Kept(long UntilMs, long ReportedAtMs, long Timestamp);

    /// <summary>What this process knows of one route (Unix milliseconds; 0 = none).</summary>
    private sealed class MirrorEntry
    {
        private readonly Lock _gate = new();
        private long _cooldownMs;
        private long _circuitMs;
        private long _leaseMs;
        private double _latencyMs = double.NaN;
        private long _latencyAtMs;
        private Kept? _keptCooldown;
        private Kept? _keptCircuit;

        /// <summary>Keeps a report Redis did not receive, to write when it returns (the latest per kind).</summary>
        public void KeepForLater(EndKind kind, long untilMs, long reportedAtMs, long? timestamp = null)
        {
            var kept = new Kept(untilMs, reportedAtMs, timestamp ?? Stopwatch.GetTimestamp());
            lock (_gate)
            {
                ref var slot = ref kind == EndKind.Cooldown ? ref _keptCooldown : ref _keptCircuit;
                if (slot is null || slot.UntilMs < untilMs)
                {
                    slot = kept;
                }
            }
        }

        /// <summary>Takes the report kept for later, if any.</summary>
        public Kept? TakeKept(EndKind kind)
        {
            lock (_gate)
            {
                ref var slot = ref kind == EndKind.Cooldown ? ref _keptCooldown : ref _keptCircuit;
                var kept = slot;
                slot = null;
                return kept;
            }
        }

        public void MergeCooldown(long untilMs)
        {
            lock (_gate)
            {
                _cooldownMs = Math.Max(_cooldownMs, untilMs);
            }
        }

        public void MergeCircuit(long untilMs)
        {
            lock (_gate)
            {
                if (untilMs > _circuitMs)
                {
                    _circuitMs = untilMs;
                    _leaseMs = 0;
                }
            }
        }

        public void Close(long nowMs)
        {
            lock (_gate)
            {
                if (_circuitMs <= nowMs)
                {
                    _circuitMs = 0;
                    _leaseMs = 0;
                }
            }
        }

        public bool TryLease(long nowMs, long untilMs)
        {
            lock (_gate)
            {
                if (_leaseMs > nowMs)
                {
                    return false;
                }

                _leaseMs = untilMs;
                return true;
            }
        }

        public void ReleaseLease()
        {
            lock (_gate)
            {
                _leaseMs = 0;
            }
        }

        public void SetLatency(double ms, long atMs)
        {
            lock (_gate)
            {
                if (atMs >= _latencyAtMs)
                {
                    _latencyMs = ms;
                    _latencyAtMs = atMs;
                }
            }
        }

        public void ObserveLocally(double ms, long atMs, TimeSpan halfLife)
        {
            lock (_gate)
            {
                double weight = double.IsNaN(_latencyMs) ? 1 : Math.Max(0.3, 1 - Math.Pow(2, -Math.Max(0, atMs - _latencyAtMs) / Math.Max(1, halfLife.TotalMilliseconds)));
                _latencyMs = double.IsNaN(_latencyMs) ? ms : _latencyMs + (weight * (ms - _latencyMs));
                _latencyAtMs = Math.Max(_latencyAtMs, atMs);
            }
        }

        public SharedRouteState Snapshot()
        {
            lock (_gate)
            {
                return new SharedRouteState(
                    _cooldownMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(_cooldownMs),
                    _circuitMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(_circuitMs),
                    double.IsNaN(_latencyMs) ? null : TimeSpan.FromMilliseconds(_latencyMs),
                    double.IsNaN(_latencyMs) ? null : DateTimeOffset.FromUnixTimeMilliseconds(_latencyAtMs));
            }
        }
    }
}
