using CompatAI.Gateway.Configuration;
using Microsoft.Extensions.Caching.Distributed;
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

        if (redis)
        {
            // Cooldowns, circuit state and latency of the CompatAI:Fallback chain, shared (FallbackOptions.StateStore).
            services.AddCompatRedisRouteState();
            if (!services.Any(d => d.ServiceType == typeof(IBudgetStore)))
            {
                // Leases (on by default) are set under CompatAI:Redis:Budgets.
                services.AddCompatRedisBudgetStore();
                services.AddOptions<CompatRedisBudgetOptions>().Bind(configuration.GetSection(CompatRedisBudgetOptions.SectionName));
            }
        }

        if (configuration.GetValue<bool>(GatewayOptions.SectionName + ":ResponseCache:Enabled") && !services.Any(d => d.ServiceType == typeof(IDistributedCache)))
        {
            if (redis)
            {
                // The response cache in Redis over the one shared connection; a Redis failure is a miss.
                bool writeBehind = configuration.GetValue(GatewayOptions.SectionName + ":ResponseCache:WriteBehind", defaultValue: true);
                services.AddCompatRedisCache(o => o.WriteBehind = writeBehind);
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
