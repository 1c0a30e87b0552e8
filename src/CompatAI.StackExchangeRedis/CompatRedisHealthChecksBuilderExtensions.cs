using CompatAI;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the health check of the Redis connection CompatAI shares state through.</summary>
public static class CompatRedisHealthChecksBuilderExtensions
{
    /// <summary>Adds <see cref="CompatRedisHealthCheck"/> as <c>compatai:redis</c> (tagged <c>compatai</c>): degraded, never unhealthy, while Redis is unreachable or, after a reconnection, while the shared route state (when <see cref="RedisRouteStateStore"/> is registered) is read back.</summary>
    /// <param name="builder">The health checks builder.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static IHealthChecksBuilder AddCompatRedisHealthCheck(this IHealthChecksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            "compatai:redis",
            services => new CompatRedisHealthCheck(services.GetRequiredService<CompatRedisConnection>(), services.GetService<IRouteStateStore>() as RedisRouteStateStore),
            failureStatus: HealthStatus.Degraded,
            tags: ["compatai"]));
    }
}
