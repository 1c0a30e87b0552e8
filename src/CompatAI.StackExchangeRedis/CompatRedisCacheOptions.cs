namespace CompatAI;

/// <summary>Configures <see cref="CompatRedisCache"/>, the response cache in Redis.</summary>
public sealed class CompatRedisCacheOptions
{
    /// <summary>
    /// Gets or sets how long an entry written without an absolute expiration lives (Microsoft.Extensions.AI's
    /// <c>DistributedCachingChatClient</c> writes every entry without one). Default: 1 hour.
    /// </summary>
    public TimeSpan DefaultAbsoluteExpiration { get; set; } = TimeSpan.FromHours(1);

    internal void Validate()
    {
        if (DefaultAbsoluteExpiration <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"CompatRedisCacheOptions.DefaultAbsoluteExpiration must be positive, not {DefaultAbsoluteExpiration}.");
        }
    }
}
