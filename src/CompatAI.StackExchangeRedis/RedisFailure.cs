using StackExchange.Redis;

namespace CompatAI;

/// <summary>Tells a Redis failure, which a shared store survives with local state, from the caller's cancellation.</summary>
internal static class RedisFailure
{
    /// <summary>
    /// Whether <paramref name="error"/>, thrown by a Redis call, means Redis could not serve: unreachable or refusing
    /// (<see cref="RedisException"/>), too slow (<see cref="RedisTimeoutException"/> or another <see cref="TimeoutException"/>), or the client's own connection
    /// being torn down under it (StackExchange.Redis 2.x can surface an <see cref="InvalidOperationException"/> from its
    /// pipes, or a cancellation nobody asked for, when a connection is restarted). The caller's own cancellation is not one.
    /// </summary>
    public static bool Is(Exception error, CancellationToken callerToken) => error switch
    {
        RedisException or TimeoutException or InvalidOperationException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => false,
    };
}
