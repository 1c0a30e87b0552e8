namespace CompatAI.Gateway.Configuration;

/// <summary>
/// The gateway's response cache (<c>CompatAI:Gateway:ResponseCache</c>): chat answers of providers configured under
/// <c>CompatAI:Providers</c> are cached with the library's <c>UseCompatCache</c> in the <c>IDistributedCache</c> from the
/// service provider (in memory, or Redis when <c>CompatAI:Redis</c> is set). The response header <c>x-compat-cache</c> says
/// <c>hit</c> or <c>miss</c>.
/// </summary>
public sealed class GatewayResponseCacheOptions
{
    /// <summary>Gets or sets whether chat answers are cached. Default: <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets how long a cached answer is served (absolute expiration from when it was stored). Default: 5 minutes.</summary>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets whether, with <c>CompatAI:Redis</c>, an answer is stored in Redis without waiting for Redis's
    /// confirmation (the library's <c>CompatRedisCacheOptions.WriteBehind</c>): a cache miss then waits for one Redis
    /// round trip fewer, and the stored answer is a hit on the other replicas about one Redis round trip after it was
    /// sent rather than before the response. Pending stores are completed at shutdown. Default: <see langword="true"/>.
    /// </summary>
    public bool WriteBehind { get; set; } = true;

    internal void Validate()
    {
        if (Expiration <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{GatewayOptions.SectionName}:ResponseCache:Expiration is {Expiration}; it must be positive.");
        }
    }
}
