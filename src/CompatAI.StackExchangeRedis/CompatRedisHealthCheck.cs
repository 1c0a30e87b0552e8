using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompatAI;

/// <summary>
/// Reports the Redis connection CompatAI shares state through: healthy when connected, and <see cref="HealthStatus.Degraded"/>
/// (never unhealthy) when not, since every shared store then goes on with this process's own state.
/// </summary>
public sealed class CompatRedisHealthCheck : IHealthCheck
{
    private readonly CompatRedisConnection _connection;
    private readonly RedisRouteStateStore? _routeState;

    /// <summary>Creates the check.</summary>
    /// <param name="connection">The connection.</param>
    public CompatRedisHealthCheck(CompatRedisConnection connection)
        : this(connection, null)
    {
    }

    /// <summary>Creates the check, which also reports the shared route state as degraded until it is resynchronized after a (re)connection.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="routeState">The shared route state, or <see langword="null"/> when there is none.</param>
    public CompatRedisHealthCheck(CompatRedisConnection connection, RedisRouteStateStore? routeState)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _routeState = routeState;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !_connection.IsConnected ? HealthCheckResult.Degraded("Redis is not reachable; this process serves with its own state until it returns.")
            : _routeState is { IsSharing: false } ? HealthCheckResult.Degraded("Redis is connected; the shared route state (cooldowns, circuits) is being read back.")
            : HealthCheckResult.Healthy("Redis is connected; state is shared."));
}
