using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompatAI;

/// <summary>
/// Reports the Redis connection CompatAI shares state through: healthy when connected, and <see cref="HealthStatus.Degraded"/>
/// (never unhealthy) when not, since every shared store then goes on with this process's own state.
/// </summary>
public sealed class CompatRedisHealthCheck : IHealthCheck
{
    private readonly CompatRedisConnection _connection;

    /// <summary>Creates the check.</summary>
    /// <param name="connection">The connection.</param>
    public CompatRedisHealthCheck(CompatRedisConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_connection.IsConnected
            ? HealthCheckResult.Healthy("Redis is connected; state is shared.")
            : HealthCheckResult.Degraded("Redis is not reachable; this process serves with its own state until it returns."));
}
