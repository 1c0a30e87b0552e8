using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CompatAI;

/// <summary>
/// The one StackExchange.Redis connection CompatAI's shared stores use. It is made so that Redis being unreachable never
/// blocks or fails a request: connecting does not abort when the server is down (it keeps retrying in the background),
/// commands fail fast while disconnected instead of queueing, and each call is bounded by
/// <see cref="CompatRedisOptions.OperationTimeout"/>. Replies are read on the .NET thread pool unless
/// <see cref="CompatRedisOptions.DedicatedSocketThreads"/> is set.
/// </summary>
public sealed partial class CompatRedisConnection : IDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly ILogger _logger;

    /// <summary>Connects (or starts connecting, when Redis is not reachable yet) with <paramref name="options"/>.</summary>
    /// <param name="options">The connection options.</param>
    /// <param name="logger">The logger for connection losses and restorations. Default: none.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public CompatRedisConnection(IOptions<CompatRedisOptions> options, ILogger<CompatRedisConnection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        Options.Validate();
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(Options.Configuration!);
        }
        catch (ArgumentException ex)
        {
            // The message of StackExchange.Redis's parser may quote the string, which can hold a password: name the key only.
            throw new InvalidOperationException($"{CompatRedisOptions.SectionName}:Configuration is not a valid StackExchange.Redis configuration string.", ex);
        }

        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = (int)Options.ConnectTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)Options.OperationTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)Options.OperationTimeout.TotalMilliseconds;
        configuration.ClientName ??= "compatai";
        // StackExchange.Redis's default socket manager reads replies on its own dedicated threads, and each reply then
        // wakes a thread-pool thread for the awaiting code: on a small machine that is two thread hand-offs per call
        // (measured: about twice the CPU and the latency of each call; eng/bench/scaleout/README.md).
        configuration.SocketManager = Options.DedicatedSocketThreads ? SocketManager.Shared : SocketManager.ThreadPool;

        _multiplexer = ConnectionMultiplexer.Connect(configuration);
        _multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(_logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString());
        _multiplexer.ConnectionRestored += (_, e) => LogConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?");
    }

    /// <summary>Gets the options the connection was made with.</summary>
    public CompatRedisOptions Options { get; }

    /// <summary>Gets the StackExchange.Redis multiplexer.</summary>
    public IConnectionMultiplexer Multiplexer => _multiplexer;

    /// <summary>Gets whether Redis is reachable right now.</summary>
    public bool IsConnected => _multiplexer.IsConnected;

    /// <summary>Returns the full key for <paramref name="name"/> (the <see cref="CompatRedisOptions.KeyPrefix"/> plus the name).</summary>
    /// <param name="name">The key's name below the prefix.</param>
    /// <returns>The key.</returns>
    public RedisKey Key(string name) => Options.KeyPrefix + name;

    /// <summary>Closes the connection.</summary>
    public void Dispose() => _multiplexer.Dispose();

    [LoggerMessage(1, LogLevel.Warning, "Redis connection to {EndPoint} failed ({FailureType}); CompatAI goes on with this process's own state until it returns.")]
    private static partial void LogConnectionFailed(ILogger logger, string endPoint, string failureType);

    [LoggerMessage(2, LogLevel.Information, "Redis connection to {EndPoint} restored; CompatAI shares state through it again.")]
    private static partial void LogConnectionRestored(ILogger logger, string endPoint);
}
