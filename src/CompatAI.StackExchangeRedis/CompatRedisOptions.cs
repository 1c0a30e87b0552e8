namespace CompatAI;

/// <summary>
/// Configures the Redis connection CompatAI shares state through; bound from <c>CompatAI:Redis</c>. Without
/// <see cref="Configuration"/> nothing is shared and every process keeps its own state.
/// </summary>
public sealed class CompatRedisOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "CompatAI:Redis";

    /// <summary>Gets or sets the StackExchange.Redis configuration string, for example <c>redis-1:6379,password=...</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Gets or sets the prefix of every key and channel CompatAI writes, so that several applications can share one Redis.
    /// Every process that should share state must use the same prefix. Default: <c>compatai:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "compatai:";

    /// <summary>
    /// Gets or sets how long one Redis call may take before the caller goes on with its own local state instead
    /// (Redis being slow or down never fails a request). Default: 250 milliseconds.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets how long connecting may take. Default: 2 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets whether replies are read on StackExchange.Redis's own dedicated threads (its
    /// <c>SocketManager.Shared</c>) instead of the .NET thread pool (<c>SocketManager.ThreadPool</c>). The thread pool
    /// takes a thread hand-off off every Redis call, which halves the client's CPU and latency per call on a small
    /// machine; dedicated threads keep Redis answering when an application blocks thread-pool threads (sync-over-async),
    /// which CompatAI does not. Default: <see langword="false"/> (the thread pool).
    /// </summary>
    public bool DedicatedSocketThreads { get; set; }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
        {
            throw new InvalidOperationException($"{SectionName}:Configuration is not set; it is a StackExchange.Redis configuration string such as 'localhost:6379'.");
        }

        if (string.IsNullOrEmpty(KeyPrefix))
        {
            throw new InvalidOperationException($"{SectionName}:KeyPrefix must not be empty.");
        }

        if (OperationTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:OperationTimeout and {SectionName}:ConnectTimeout must be positive.");
        }
    }
}
