namespace CompatAI;

/// <summary>Configures <see cref="CompatRedisCache"/>, the response cache in Redis.</summary>
public sealed class CompatRedisCacheOptions
{
    /// <summary>
    /// Gets or sets how long an entry written without an absolute expiration lives (Microsoft.Extensions.AI's
    /// <c>DistributedCachingChatClient</c> writes every entry without one). Default: 1 hour.
    /// </summary>
    public TimeSpan DefaultAbsoluteExpiration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets whether <see cref="CompatRedisCache.SetAsync"/> returns once the write is sent to Redis instead of
    /// when Redis has confirmed it (write-behind), which takes one Redis round trip off every cache miss. The writes are
    /// still sent at once and in order on the one connection, so a read from this process after the call sees the
    /// entry, and another process sees it about one round trip later; a write that fails is counted and logged as
    /// before. At most <see cref="MaxPendingWrites"/> writes wait for Redis's answer at a time (beyond that a write is
    /// awaited); <see cref="CompatRedisCache.FlushAsync"/> and disposing the cache asynchronously (as the host does on
    /// shutdown) wait for them. Default: <see langword="true"/>.
    /// </summary>
    public bool WriteBehind { get; set; } = true;

    /// <summary>Gets or sets how many write-behind writes may wait for Redis's answer at a time. Default: 1024.</summary>
    public int MaxPendingWrites { get; set; } = 1024;

    internal void Validate()
    {
        if (DefaultAbsoluteExpiration <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"CompatRedisCacheOptions.DefaultAbsoluteExpiration must be positive, not {DefaultAbsoluteExpiration}.");
        }

        if (MaxPendingWrites < 1)
        {
            throw new InvalidOperationException($"CompatRedisCacheOptions.MaxPendingWrites must be at least 1, not {MaxPendingWrites}.");
        }
    }
}
