using CompatAI.Gateway.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompatAI.Gateway.Hosting;

/// <summary>
/// Registers where the gateway keeps state that replicas share: in this process (the default, single-process mode), or
/// in Redis when <c>CompatAI:Redis:Configuration</c> is set. Every store is registered with <c>TryAdd</c>, so a host can
/// register its own first.
/// </summary>
internal static class GatewaySharedState
{
    /// <summary>Returns whether <c>CompatAI:Redis:Configuration</c> is set.</summary>
    public static bool UsesRedis(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[CompatRedisOptions.SectionName + ":Configuration"]);

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var redis = UsesRedis(configuration);
        if (redis)
        {
            services.AddCompatRedis(configuration.GetSection(CompatRedisOptions.SectionName));
            if (!services.Any(d => d.ServiceType == typeof(HealthCheckMarker)))
            {
                services.AddSingleton<HealthCheckMarker>();
                services.AddHealthChecks().AddCompatRedisHealthCheck();
            }
        }

        if (configuration.GetValue<bool>(GatewayOptions.SectionName + ":ResponseCache:Enabled"))
        {
            if (redis)
            {
                // The response cache in Redis, over the one shared connection (fail-fast while Redis is down; the gateway's
                // ResponseCacheStore turns a failure into a miss).
                services.AddOptions<RedisCacheOptions>().Configure<CompatRedisConnection>((o, connection) =>
                {
                    o.ConnectionMultiplexerFactory = () => Task.FromResult(connection.Multiplexer);
                    o.InstanceName = connection.Options.KeyPrefix + "cache:";
                });
                services.TryAddSingleton<IDistributedCache>(sp => new RedisCache(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisCacheOptions>>()));
            }
            else
            {
                services.AddDistributedMemoryCache();
            }
        }

        services.TryAddSingleton<IBudgetStore>(_ => new InMemoryBudgetStore());
    }

    /// <summary>Marks that the gateway added its health check, so that calling <c>AddCompatGateway</c> twice adds it once.</summary>
    private sealed class HealthCheckMarker;
}
