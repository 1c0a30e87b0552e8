using CompatAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="RouterChatClient"/> from the <c>CompatAI:Routing</c> configuration section.</summary>
public static class CompatRouterChatClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers, with Microsoft.Extensions.AI's <c>AddChatClient</c>, a router over the candidates of
    /// <c>CompatAI:Routing:Candidates</c> (each a provider configured under <c>CompatAI:Providers</c>, with its default
    /// pipeline), ranked by <c>CompatAI:Routing:Strategy</c>. Prices come from the built-in table with
    /// <c>CompatAI:Prices</c> laid over it (registered as the <see cref="PriceTable"/> service, which <c>UseCostTracking</c>
    /// and <c>UseBudgets</c> read); profile overrides under <c>CompatAI:Profiles</c> apply. The configuration is
    /// checked when the client is first resolved, with errors that name the key. Cooldowns, circuit state and latency
    /// estimates are shared through an <see cref="IRouteStateStore"/> registered in the services, unless
    /// <paramref name="configure"/> sets <see cref="FallbackOptions.StateStore"/>.
    /// </summary>
    /// <param name="services">The services; an <see cref="IConfiguration"/> must be registered (hosts do this).</param>
    /// <param name="configure">Adjusts the options after binding (for example a <see cref="RouterOptions.CustomScore"/>).</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>Microsoft.Extensions.AI's builder, for adding middleware around the router.</returns>
    public static ChatClientBuilder AddCompatRouterChatClient(this IServiceCollection services, Action<RouterOptions>? configure = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(static sp => PriceTable.Default.WithOverrides(sp.GetRequiredService<IConfiguration>().GetSection("CompatAI:Prices")));
        return services.AddChatClient(sp => Create(sp, configure), lifetime);
    }

    private static RouterChatClient Create(IServiceProvider services, Action<RouterOptions>? configure)
    {
        var root = services.GetRequiredService<IConfiguration>();
        var routing = CompatRoutingConfiguration.Read(root);
        if (routing.Candidates.Count == 0)
        {
            throw new InvalidOperationException($"Configuration '{CompatRoutingConfiguration.SectionName}:Candidates' lists no candidate.");
        }

        var compat = new CompatAIConfiguration();
        root.GetSection(CompatAIConfiguration.SectionName).Bind(compat);
        var catalog = CompatAIConfiguration.CatalogFrom(root);
        var loggerFactory = services.GetService<ILoggerFactory>();
        var candidates = new List<RouteCandidate>();
        for (int i = 0; i < routing.Candidates.Count; i++)
        {
            var entry = routing.Candidates[i];
            if (string.IsNullOrWhiteSpace(entry.Provider) || !compat.Providers.TryGetValue(entry.Provider, out var provider))
            {
                throw new InvalidOperationException(
                    $"Configuration '{CompatRoutingConfiguration.SectionName}:Candidates:{i}:Provider' must name a provider configured under 'CompatAI:Providers' ({string.Join(", ", compat.Providers.Keys)}), not '{entry.Provider}'.");
            }

            var clientOptions = provider.ToClientOptions(entry.Provider, catalog);
            clientOptions.LoggerFactory = loggerFactory;
            candidates.Add(new RouteCandidate(CompatChatClient.Create(clientOptions))
            {
                Name = entry.Name,
                Quality = entry.Quality,
                Weight = entry.Weight,
            });
        }

        var options = routing.ToRouterOptions(catalog, services.GetRequiredService<PriceTable>());
        configure?.Invoke(options);

        // A route state store registered in the services shares cooldowns, circuits and latency, unless code set one.
        options.Failover.StateStore ??= services.GetService<IRouteStateStore>();
        return new RouterChatClient(candidates, options);
    }
}
