using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CompatAI;

/// <summary>
/// The response cache in Redis: Microsoft.Extensions.Caching.StackExchangeRedis's <see cref="RedisCache"/> over the
/// <see cref="CompatRedisConnection"/>'s multiplexer (keys under its prefix, <c>cache:</c>), made so that Redis failing
/// never fails a request: a read that fails is a miss, a write, refresh or removal that fails is skipped, each logged (a
/// warning once per outage) and counted (<see cref="FailureCount"/> and the <see cref="FailuresMetric"/> counter).
/// An entry written without an absolute expiration gets <see cref="CompatRedisCacheOptions.DefaultAbsoluteExpiration"/>.
/// Writes are write-behind by default (<see cref="CompatRedisCacheOptions.WriteBehind"/>): <see cref="SetAsync"/> sends
/// the entry and returns without waiting for Redis's answer, which takes a Redis round trip off every cache miss.
/// </summary>
/// <remarks>
/// Put it under Microsoft.Extensions.AI's caching clients with <c>UseCompatCache()</c>, whose key rules (provider, endpoint,
/// model, messages and options) make entries safe to share between processes. The shared multiplexer belongs to the
/// connection: this cache never closes it.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Disposing the RedisCache would close the multiplexer, which belongs to the CompatRedisConnection and is shared by every store.")]
public sealed partial class CompatRedisCache : IDistributedCache, IAsyncDisposable, IDisposable
{
    /// <summary>
    /// The counter (on the <c>CompatAI</c> meter) of cache operations that failed because of Redis and were treated as a
    /// miss or skipped; tag <c>compatai.cache.operation</c> (<c>get</c>, <c>set</c>, <c>refresh</c>, <c>remove</c>).
    /// </summary>
    public const string FailuresMetric = "compatai.redis.cache.failures";

    private static readonly Meter s_meter = new(CompatTelemetry.MeterName);
    private static readonly Counter<long> s_failures = s_meter.CreateCounter<long>(FailuresMetric, description: "Response-cache operations that failed because of Redis and were treated as a miss or skipped.");

    private readonly RedisCache _inner;
    private readonly TimeSpan _defaultExpiration;
    private readonly ILogger _logger;
    private readonly bool _writeBehind;
    private readonly SemaphoreSlim _room;
    private readonly ConcurrentDictionary<long, Task> _pending = new();
    private long _failures;
    private int _failing;
    private long _lastWrite;
    private int _disposed;

    /// <summary>Creates the cache over <paramref name="connection"/>.</summary>
    /// <param name="connection">The Redis connection whose multiplexer and key prefix the cache uses.</param>
    /// <param name="options">The cache options.</param>
    /// <param name="logger">The logger for failures and recoveries. Default: none.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public CompatRedisCache(CompatRedisConnection connection, IOptions<CompatRedisCacheOptions> options, ILogger<CompatRedisCache>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        value.Validate();
        _defaultExpiration = value.DefaultAbsoluteExpiration;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _writeBehind = value.WriteBehind;
        _room = new SemaphoreSlim(value.MaxPendingWrites, value.MaxPendingWrites);
        _inner = new RedisCache(Options.Create(new RedisCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult(connection.Multiplexer),
            InstanceName = connection.Key("cache:").ToString(),
        }));
    }

    /// <summary>Gets how many cache operations failed because of Redis (and were treated as a miss or skipped) so far.</summary>
    public long FailureCount => Interlocked.Read(ref _failures);

    /// <inheritdoc />
    public byte[]? Get(string key)
    {
        try
        {
            var value = _inner.Get(key);
            Succeeded();
            return value;
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            Failed("get", ex);
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        try
        {
            var value = await _inner.GetAsync(key, token).ConfigureAwait(false);
            Succeeded();
            return value;
        }
        catch (Exception ex) when (RedisFailure.Is(ex, token))
        {
            Failed("get", ex);
            return null;
        }
    }

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        try
        {
            _inner.Set(key, value, WithExpiration(options));
            Succeeded();
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            Failed("set", ex);
        }
    }

    /// <summary>
    /// Writes an entry. With <see cref="CompatRedisCacheOptions.WriteBehind"/> (the default) the entry is sent to Redis
    /// and the call returns without waiting for Redis's answer (it waits only while
    /// <see cref="CompatRedisCacheOptions.MaxPendingWrites"/> writes are waiting for theirs); a read from this cache after
    /// the call is ordered after the write on the same connection. A write that fails is counted and logged, never thrown.
    /// </summary>
    /// <param name="key">The entry's key.</param>
    /// <param name="value">The entry's value (not copied: it must not change after the call).</param>
    /// <param name="options">The entry's expiration.</param>
    /// <param name="token">Cancels the waiting: for room (write-behind) or for Redis's answer (otherwise); a write already sent is still made.</param>
    /// <returns>A task that completes when the write is sent (write-behind) or made.</returns>
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var entry = WithExpiration(options);
        if (!_writeBehind || Volatile.Read(ref _disposed) != 0)
        {
            try
            {
                await _inner.SetAsync(key, value, entry, token).ConfigureAwait(false);
                Succeeded();
            }
            catch (Exception ex) when (RedisFailure.Is(ex, token))
            {
                Failed("set", ex);
            }

            return;
        }

        if (!_room.Wait(0, CancellationToken.None))
        {
            await _room.WaitAsync(token).ConfigureAwait(false);
        }

        // RedisCache sends the commands before its first wait, so the write is on the connection when this returns.
        var write = _inner.SetAsync(key, value, entry, CancellationToken.None);
        if (write.IsCompleted)
        {
            await CompleteAsync(write).ConfigureAwait(false);
            return;
        }

        long id = Interlocked.Increment(ref _lastWrite);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = done.Task;
        _ = TrackAsync(write, id, done);
    }

    /// <summary>Waits until every write-behind write started before this call has Redis's answer (or failed, counted and logged).</summary>
    /// <param name="cancellationToken">Stops the waiting (not the writes).</param>
    /// <returns>A task that completes when the writes are answered.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        foreach (var pending in _pending.Values)
        {
            await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Makes later writes wait for Redis's answer and waits for the write-behind writes still pending; the shared connection stays open.</summary>
    /// <returns>A task that completes when the pending writes are answered.</returns>
    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, 1);
        await FlushAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Makes later writes wait for Redis's answer; the write-behind writes still pending complete in the background (use
    /// <see cref="DisposeAsync"/> to wait for them). The shared connection stays open.
    /// </summary>
    public void Dispose() => Volatile.Write(ref _disposed, 1);

    /// <inheritdoc />
    public void Refresh(string key)
    {
        try
        {
            _inner.Refresh(key);
            Succeeded();
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            Failed("refresh", ex);
        }
    }

    /// <inheritdoc />
    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        try
        {
            await _inner.RefreshAsync(key, token).ConfigureAwait(false);
            Succeeded();
        }
        catch (Exception ex) when (RedisFailure.Is(ex, token))
        {
            Failed("refresh", ex);
        }
    }

    /// <inheritdoc />
    public void Remove(string key)
    {
        try
        {
            _inner.Remove(key);
            Succeeded();
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            Failed("remove", ex);
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        try
        {
            await _inner.RemoveAsync(key, token).ConfigureAwait(false);
            Succeeded();
        }
        catch (Exception ex) when (RedisFailure.Is(ex, token))
        {
            Failed("remove", ex);
        }
    }

    /// <summary>Waits for a write-behind write's answer, then counts it and lets the next write in.</summary>
    private async Task TrackAsync(Task write, long id, TaskCompletionSource done)
    {
        try
        {
            await CompleteAsync(write).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
            done.TrySetResult();
        }
    }

    /// <summary>Observes a write-behind write (success, or a failure counted and logged) and frees its room.</summary>
    private async Task CompleteAsync(Task write)
    {
        try
        {
            await write.ConfigureAwait(false);
            Succeeded();
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            Failed("set", ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not a Redis failure: nobody awaits this write any more, so it is logged as an error rather than thrown.
            Interlocked.Increment(ref _failures);
            LogWriteFailed(_logger, ex.GetType().Name, ex);
        }
        finally
        {
            _room.Release();
        }
    }

    private DistributedCacheEntryOptions WithExpiration(DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AbsoluteExpiration is not null || options.AbsoluteExpirationRelativeToNow is not null
            ? options
            : new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = _defaultExpiration, SlidingExpiration = options.SlidingExpiration };
    }

    private void Succeeded()
    {
        if (Volatile.Read(ref _failing) == 1 && Interlocked.Exchange(ref _failing, 0) == 1)
        {
            LogRecovered(_logger);
        }
    }

    private void Failed(string operation, Exception error)
    {
        Interlocked.Increment(ref _failures);
        s_failures.Add(1, new KeyValuePair<string, object?>("compatai.cache.operation", operation));
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            LogFirstFailure(_logger, operation, error.GetType().Name, error);
        }
        else
        {
            LogFailure(_logger, operation, error.GetType().Name);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Response cache: Redis failed on {Operation} ({Reason}); until it answers again reads are misses and writes are skipped.")]
    private static partial void LogFirstFailure(ILogger logger, string operation, string reason, Exception error);

    [LoggerMessage(2, LogLevel.Debug, "Response cache: Redis failed on {Operation} ({Reason}); treated as a miss or skipped.")]
    private static partial void LogFailure(ILogger logger, string operation, string reason);

    [LoggerMessage(3, LogLevel.Information, "Response cache: Redis answers again.")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(4, LogLevel.Error, "Response cache: a write-behind write failed ({Reason}); the entry is not cached.")]
    private static partial void LogWriteFailed(ILogger logger, string reason, Exception error);
}
