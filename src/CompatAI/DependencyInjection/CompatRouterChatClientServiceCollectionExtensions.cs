using CompatAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
    /// <para>
    /// Active probes: a candidate whose <c>CompatAI:Routing:Candidates:&lt;n&gt;:Probe</c> is <c>Models</c> or
    /// <c>OneToken</c> (see <see cref="ProviderProbeKind"/>; default <c>None</c>) is probed by a <see cref="ProviderProber"/>
    /// that a hosted service registered here starts with the host and stops with it, every
    /// <c>CompatAI:Routing:Probes:Interval</c> (with <c>Jitter</c>, each probe limited to <c>Timeout</c>; checked at
    /// startup). The clock is the <see cref="TimeProvider"/> registered in the services, if any. Probes need the router
    /// to be a singleton.
    /// </para>
    /// </summary>
    /// <param name="services">The services; an <see cref="IConfiguration"/> must be registered (hosts do this).</param>
    /// <param name="configure">Adjusts the options after binding (for example a <see cref="RouterOptions.CustomScore"/>).</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>Microsoft.Extensions.AI's builder, for adding middleware around the router.</returns>
    public static ChatClientBuilder AddCompatRouterChatClient(this IServiceCollection services, Action<RouterOptions>? configure = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(static sp => PriceTable.Default.WithOverrides(sp.GetRequiredService<IConfiguration>().GetSection("CompatAI:Prices")));

        // The probes of this registration (the last AddCompatRouterChatClient wins, as AddChatClient's IChatClient does).
        var probes = new ConfiguredRouterProbes(lifetime);
        services.RemoveAll<ConfiguredRouterProbes>();
        services.AddSingleton(probes);
        if (!services.Any(static d => d.ServiceType == typeof(IValidateOptions<ProviderProberOptions>) && d.ImplementationType == typeof(ProviderProberOptionsValidator)))
        {
            services.AddOptions<ProviderProberOptions>()
                .Configure<IConfiguration>(static (options, configuration) => ProviderProberOptionsBinder.Bind(configuration.GetSection(ProviderProberOptionsValidator.SectionName), options))
                .Configure<IServiceProvider>(static (options, sp) =>
                {
                    options.TimeProvider = sp.GetService<TimeProvider>() ?? options.TimeProvider;
                    options.LoggerFactory ??= sp.GetService<ILoggerFactory>();
                })
                .ValidateOnStart();
            services.AddSingleton<IValidateOptions<ProviderProberOptions>, ProviderProberOptionsValidator>();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProviderProbeHostedService>());
        return services.AddChatClient(sp => Create(sp, configure, probes), lifetime);
    }

    private static RouterChatClient Create(IServiceProvider services, Action<RouterOptions>? configure, ConfiguredRouterProbes probes)
    {
        var root = services.GetRequiredService<IConfiguration>();
        var routing = CompatRoutingConfiguration.Read(root);

        if (routing.Candidates.Count == 0)
        {
            throw new InvalidOperationException($"Configuration '{CompatRoutingConfiguration.SectionName}:Candidates' lists no candidate.");
        }

        var compat = new CompatAIConfiguration();
        compat.Bind(root.GetSection(CompatAIConfiguration.SectionName));
        var catalog = CompatAIConfiguration.CatalogFrom(root);
        var loggerFactory = services.GetService<ILoggerFactory>();
        var candidates = new List<RouteCandidate>();
        var candidateProbes = new Func<CancellationToken, Task>?[routing.Candidates.Count];
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
            var client = CompatChatClient.Create(clientOptions);
            candidates.Add(new RouteCandidate(client)
            {
                Name = entry.Name,
                Quality = entry.Quality,
                Weight = entry.Weight,
            });
            candidateProbes[i] = entry.Probe switch
            {
                ProviderProbeKind.None => null,
                ProviderProbeKind.Models => new CompatModelClient(ModelClientOptions(clientOptions)).ProbeAsync,
                ProviderProbeKind.OneToken => ct => ProviderProbe.OneTokenAsync(client, ct),
                _ => throw new InvalidOperationException($"Configuration '{CompatRoutingConfiguration.SectionName}:Candidates:{i}:Probe' must be None, Models or OneToken, not '{entry.Probe}'."),
            };
        }

        var options = routing.ToRouterOptions(catalog, services.GetRequiredService<PriceTable>());
        configure?.Invoke(options);

        // A route state store registered in the services shares cooldowns, circuits and latency, unless code set one.
        options.Failover.StateStore ??= services.GetService<IRouteStateStore>();
        var router = new RouterChatClient(candidates, options);
        if (Array.FindIndex(candidateProbes, static p => p is not null) is int first and >= 0)
        {
            if (probes.Lifetime != ServiceLifetime.Singleton)
            {
                router.Dispose();
                throw new InvalidOperationException(ConfiguredRouterProbes.NotSingleton(first, probes.Lifetime));
            }

            // The router names each candidate (its Name, else the profile's provider name, which may differ from the key
            // under CompatAI:Providers): the probes are keyed by those names, in the configured order.
            var health = router.GetHealth();
            var named = new Dictionary<string, Func<CancellationToken, Task>>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < candidateProbes.Length; i++)
            {
                if (candidateProbes[i] is { } probe)
                {
                    named[health[i].Name] = probe;
                }
            }

            probes.Attach(new ProviderProber(router, named, services.GetRequiredService<IOptions<ProviderProberOptions>>().Value));
        }

        return router;
    }

    private static CompatModelClientOptions ModelClientOptions(CompatChatClientOptions chat)
    {
        var options = new CompatModelClientOptions
        {
            Provider = chat.Provider,
            Endpoint = chat.Endpoint,
            ApiKey = chat.ApiKey,
            Timeout = chat.Timeout,
            Retry = chat.Retry,
            HttpClient = chat.HttpClient,
            Catalog = chat.Catalog,
        };
        foreach (var (header, value) in chat.Headers)
        {
            options.Headers[header] = value;
        }

        return options;
    }
}
