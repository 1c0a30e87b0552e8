using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Logging;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Policies;

/// <summary>
/// The <see cref="IDistributedCache"/> the gateway hands to <c>UseCompatCache</c>: the one from the service provider, with
/// the gateway's expiration on every entry, the outcome of each lookup noted on the request being served (for the
/// <c>x-compat-cache</c> header), and failures of the store (Redis unreachable) turned into a miss and a skipped write,
/// so that no request fails because the cache did.
/// </summary>
internal sealed class ResponseCacheStore : IDistributedCache
{
    private readonly IDistributedCache _inner;
    private readonly DistributedCacheEntryOptions _entry;
    private readonly ILogger _logger;

    public ResponseCacheStore(IDistributedCache inner, TimeSpan expiration, ILogger logger)
    {
        _inner = inner;
        _entry = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = expiration };
        _logger = logger;
    }

    public byte[]? Get(string key) => Note(_inner.Get(key));

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        try
        {
            return Note(await _inner.GetAsync(key, token).ConfigureAwait(false));
        }
        catch (Exception ex) when (IsStoreFailure(ex, token))
        {
            Log.CacheUnavailable(_logger, "read", ex.GetType().Name);
            return Note(null);
        }
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _inner.Set(key, value, WithExpiration(options));

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        try
        {
            await _inner.SetAsync(key, value, WithExpiration(options), token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex, token))
        {
            Log.CacheUnavailable(_logger, "write", ex.GetType().Name);
        }
    }

    public void Refresh(string key) => _inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

    public void Remove(string key) => _inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

    private static byte[]? Note(byte[]? value)
    {
        if (GatewayRequestContext.Current is { } context)
        {
            context.CacheHit = value is not null;
        }

        return value;
    }

    /// <summary>A failure of the store, not the caller's cancellation.</summary>
    private static bool IsStoreFailure(Exception ex, CancellationToken token) => !(ex is OperationCanceledException && token.IsCancellationRequested);

    private DistributedCacheEntryOptions WithExpiration(DistributedCacheEntryOptions options) =>
        options.AbsoluteExpiration is null && options.AbsoluteExpirationRelativeToNow is null && options.SlidingExpiration is null ? _entry : options;
}
