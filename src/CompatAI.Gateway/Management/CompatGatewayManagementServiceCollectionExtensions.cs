using CompatAI.Gateway.Management;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompatAI.Gateway.Hosting;

/// <summary>Registers the gateway's management API and dashboard.</summary>
public static class CompatGatewayManagementServiceCollectionExtensions
{
    /// <summary>
    /// Adds the in-process figures behind the management API and dashboard: the <c>CompatAI.Gateway</c> meter's
    /// instruments, a listener folding them into bounded aggregates, routing decisions, provider health and budgets, and
    /// the OpenAPI document <c>management</c>. Settings come from <c>CompatAI:Gateway:Management</c>. Call it next to
    /// <c>AddCompatGateway()</c>, and map the endpoints with <c>MapCompatGatewayManagement()</c>. Without it, the gateway
    /// measures nothing and its request path is unchanged.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root to read <c>CompatAI:Gateway:Management</c> from.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddCompatGatewayManagement(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GatewayManagementOptions>().Bind(configuration.GetSection(GatewayManagementOptions.SectionName));
        // The answers' JSON comes from generated code (no reflection), first in the chain so the app's own resolvers still apply to its types.
        services.ConfigureHttpJsonOptions(static o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ManagementJsonContext.Default));
        services.AddMetrics();
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GatewayManagementState>();
        services.TryAddSingleton(sp => sp.GetRequiredService<GatewayManagementState>().Observation);
        services.TryAddSingleton(sp => sp.GetRequiredService<GatewayManagementState>().Ledger);
        services.TryAddSingleton<IProviderHealthSource>(sp => sp.GetRequiredService<GatewayManagementState>().Health);
        if (GatewaySharedState.UsesRedis(configuration))
        {
            // Replicas sharing state: this replica's figures go to Redis in the background; the endpoints sum every replica's.
            services.TryAddSingleton<Management.Cluster.FigureDeltas>();
            services.TryAddSingleton<Management.Cluster.RedisGatewayFigures>();
            services.TryAddSingleton<Management.Cluster.IGatewayFigures>(sp => sp.GetRequiredService<Management.Cluster.RedisGatewayFigures>());
            services.AddHostedService(sp => sp.GetRequiredService<Management.Cluster.RedisGatewayFigures>());
        }
        else
        {
            services.TryAddSingleton<Management.Cluster.IGatewayFigures, Management.Cluster.LocalGatewayFigures>();
        }

        services.TryAddSingleton<IBudgetUsageSource, ConfiguredBudgetSource>();
        services.TryAddSingleton<ManagementEndpoints>();
        services.AddOpenApi(ManagementEndpoints.DocumentName, o => o.ShouldInclude = d => d.GroupName == ManagementEndpoints.DocumentName);
        return services;
    }
}
