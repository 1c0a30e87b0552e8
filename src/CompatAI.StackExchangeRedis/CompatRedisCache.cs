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
/// </summary>
/// <remarks>
/// Put it under Microsoft.Extensions.AI's caching clients with <c>UseCompatCache()</c>, whose key rules (provider, endpoint,
/// model, messages and options) make entries safe to share between processes. The shared multiplexer belongs to the
/// connection: this cache never closes it.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Disposing the RedisCache would close the multiplexer, which belongs to the CompatRedisConnection and is shared by every store.")]
public sealed partial class CompatRedisCache : IDistributedCache
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
    private long _failures;
    private int _failing;

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

    /// <inheritdoc />
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        try
        {
            await _inner.SetAsync(key, value, WithExpiration(options), token).ConfigureAwait(false);
            Succeeded();
        }
        catch (Exception ex) when (RedisFailure.Is(ex, token))
        {
            Failed("set", ex);
        }
    }

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
}
