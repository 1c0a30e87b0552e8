using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Configuration;
using CompatAI.Gateway.Headers;
using CompatAI.Gateway.Logging;
using CompatAI.Gateway.Providers;
using CompatAI.Gateway.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CompatAI.Gateway.Hosting;

/// <summary>Everything the endpoints need, built once from configuration and code registrations.</summary>
internal sealed class GatewayRuntime : IDisposable
{
    /// <summary>The placeholder key used to check a pass-through provider's settings at startup; never sent anywhere.</summary>
    internal const string StartupCheckKey = "compat-gateway-startup-check";

    private readonly byte[][] _keyHashes;
    private readonly List<IDisposable> _owned = [];

    public GatewayRuntime(
        IServiceProvider services,
        IOptions<GatewayOptions> options,
        GatewayConfigurationSource configuration,
        IEnumerable<GatewayProviderRegistration> registrations,
        GatewayPipelineSteps pipeline,
        IProviderClientFactory clientFactory,
        Policies.GatewayChatPolicies policies,
        ILogger<GatewayRuntime> logger)
    {
        Policies = policies;
        Options = options.Value;
        ValidateOptions(Options);
        _keyHashes = [.. Options.Keys.Where(k => !string.IsNullOrEmpty(k)).Select(Hash)];
        HeaderFilter = new InboundHeaderFilter(Options.ForwardHeaders);
        BodyBudget = new RequestBodyBudget(Options.Limits.MaxBufferedRequestBodyBytes);
        _owned.Add(BodyBudget);

        // The library's schema, read as AddCompatChatClient reads it: CompatAI:Providers, CompatAI:Profiles,
        // CompatAI:Fallback and CompatAI:FallbackOptions. Only CompatAI:Gateway and a provider's Models /
        // ListUpstreamModels keys are the gateway's own.
        var root = configuration.Configuration;
        RejectGatewayOnlyFallbackShapes(root.GetSection(CompatAIConfiguration.SectionName + ":Fallback"));
        var compat = new CompatAIConfiguration();
        compat.Bind(root.GetSection(CompatAIConfiguration.SectionName));
        var catalog = CatalogFrom(root);

        var providers = new Dictionary<string, IGatewayAdapter>(StringComparer.OrdinalIgnoreCase);
        var configured = new Dictionary<string, ConfiguredProviderAdapter>(StringComparer.OrdinalIgnoreCase);
        var apiClients = new Dictionary<string, ProviderApiClients>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, settings) in compat.Providers)
        {
            if (name.Contains('/', StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"CompatAI:Providers:{name}: a provider name is a model prefix and must not contain '/'.");
            }

            var entry = root.GetSection($"{CompatAIConfiguration.SectionName}:Providers:{name}").Get<ProviderEntry>() ?? new ProviderEntry();
            IChatClient Build(string? key)
            {
                var client = clientFactory.Create(name, OptionsFor(name, settings, catalog, key));
                foreach (var step in pipeline.Steps)
                {
                    client = step(name, client, services);
                }

                // The response cache and budgets (CompatAI:Gateway:ResponseCache, CompatAI:Gateway:Budgets), when configured.
                return policies.Apply(client);
            }

            if (string.IsNullOrEmpty(settings.ApiKey))
            {
                // Fail at startup on a wrong provider name or a missing endpoint, not at the first request.
                ValidateEntry(clientFactory, name, OptionsFor(name, settings, catalog, StartupCheckKey));
            }

            var providerName = settings.Provider ?? name;
            ConfiguredProviderAdapter adapter;
            try
            {
                adapter = new ConfiguredProviderAdapter(
                    name,
                    catalog.TryGet(providerName, out var profile) ? profile.Name : providerName,
                    settings.ApiKey,
                    settings.Model,
                    entry,
                    Build,
                    Options.MaxClientsPerProvider);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"CompatAI:Providers:{name} is not usable: {ex.Message}", ex);
            }

            if (catalog.TryGet(providerName, out var apiProfile))
            {
                var upstream = services.GetRequiredService<UpstreamHttpClient>();
                var api = new ProviderApiClients(name, apiProfile, settings.ApiKey, key => OptionsFor(name, settings, catalog, key), upstream.Client, Options.MaxClientsPerProvider);
                _owned.Add(api);
                apiClients[name] = api;
            }

            _owned.Add(adapter);
            providers[name] = adapter;
            configured[name] = adapter;
            Log.ProviderConfigured(logger, name, providerName, adapter.PassesCredentialThrough);
        }

        foreach (var registration in registrations)
        {
            if (providers.ContainsKey(registration.Name))
            {
                throw new InvalidOperationException($"The provider prefix '{registration.Name}' is registered twice (in configuration and in code, or twice in code).");
            }

            providers[registration.Name] = registration.Factory(services);
            Log.ProviderRegistered(logger, registration.Name);
        }

        if (Options.EnableEcho && !providers.ContainsKey("echo"))
        {
            providers["echo"] = new ChatClientAdapter(new EchoChatClient(), EchoChatClient.Models);
        }

        var models = new Dictionary<string, IGatewayAdapter>(StringComparer.Ordinal);
        if (compat.Fallback.Count > 0)
        {
            // As AddCompatChatClient() does: a registered IRouteStateStore (Redis, with CompatAI:Redis) shares the chain's
            // cooldowns, circuit state and latency with every replica.
            compat.FallbackOptions.StateStore ??= services.GetService<IRouteStateStore>();
            models[ConfiguredFallbackAdapter.ModelName] = BuildFallback(compat, configured, Options.MaxClientsPerProvider);
        }

        // CompatAI:Routing, the section AddCompatRouterChatClient() reads, served as the model 'router'.
        var routing = CompatRoutingConfiguration.Read(root);
        if (routing.Candidates.Count > 0)
        {
            routing.Failover.StateStore ??= services.GetService<IRouteStateStore>();
            var prices = services.GetService<PriceTable>() ?? PriceTable.Default.WithOverrides(root.GetSection("CompatAI:Prices"));
            models[ConfiguredRouterAdapter.ModelName] = BuildRouter(routing, routing.ToRouterOptions(catalog, prices), configured, Options.MaxClientsPerProvider);
        }
        else if (root.GetSection(CompatRoutingConfiguration.SectionName).Exists())
        {
            throw new InvalidOperationException($"{CompatRoutingConfiguration.SectionName}:Candidates lists no candidate; list providers configured under CompatAI:Providers ({string.Join(", ", configured.Keys)}), or remove the section.");
        }

        // Only with AddCompatGatewayManagement(): measure every provider and chain for the management API.
        var observation = services.GetService<Management.GatewayObservation>();
        if (observation is not null)
        {
            ObserveRoutes(observation, compat, configured, providers, models);
        }

        Router = new GatewayRouter(providers, models, Options, observation is null ? null : observation.ObserveGatewayChain);
        ApiClients = apiClients.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets the embeddings, completions and moderation clients of the providers configured under <c>CompatAI:Providers</c>.</summary>
    public IReadOnlyDictionary<string, ProviderApiClients> ApiClients { get; }

    public GatewayOptions Options { get; }

    /// <summary>Gets the response cache and budgets applied to configured providers.</summary>
    public Policies.GatewayChatPolicies Policies { get; }

    public GatewayRouter Router { get; }

    public InboundHeaderFilter HeaderFilter { get; }

    /// <summary>Gets the bound on request-body bytes held at once.</summary>
    public RequestBodyBudget BodyBudget { get; }

    public bool RequiresKey => _keyHashes.Length > 0;

    public bool IsValidKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var hash = Hash(key);
        var valid = false;
        foreach (var expected in _keyHashes)
        {
            valid |= CryptographicOperations.FixedTimeEquals(hash, expected);
        }

        return valid;
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static void ObserveRoutes(
        Management.GatewayObservation observation,
        CompatAIConfiguration compat,
        Dictionary<string, ConfiguredProviderAdapter> configured,
        Dictionary<string, IGatewayAdapter> providers,
        Dictionary<string, IGatewayAdapter> models)
    {
        foreach (var name in providers.Keys.ToList())
        {
            providers[name] = observation.ObserveProvider(providers[name]);
        }

        if (models.TryGetValue(ConfiguredFallbackAdapter.ModelName, out var chain))
        {
            var members = compat.Fallback
                .Select(f => configured.First(c => c.Key.Equals(f, StringComparison.OrdinalIgnoreCase)))
                .Select(c => new Management.ChainMember(c.Key, c.Value.ProfileName, (c.Value.ConfiguredModels.Count > 0 ? c.Value.ConfiguredModels[0] : Management.GatewayObservation.DefaultModel)))
                .ToList();
            models[ConfiguredFallbackAdapter.ModelName] = observation.ObserveLibraryChain(ConfiguredFallbackAdapter.ModelName, chain, members);
        }

        if (models.TryGetValue(ConfiguredRouterAdapter.ModelName, out var routed) && routed is ConfiguredRouterAdapter router)
        {
            var members = router.Members.Select(m => new Management.ChainMember(m.Prefix, m.CandidateName, m.Model ?? Management.GatewayObservation.DefaultModel)).ToList();
            models[ConfiguredRouterAdapter.ModelName] = observation.ObserveRouter(ConfiguredRouterAdapter.ModelName, router, members, router.Options.Strategy.ToString().ToLowerInvariant());
        }
    }

    private static void ValidateOptions(GatewayOptions options)
    {
        if (options.MaxRequestBodyBytes < 1024)
        {
            throw new InvalidOperationException($"CompatAI:Gateway:MaxRequestBodyBytes is {options.MaxRequestBodyBytes}; it must be at least 1024.");
        }

        if (options.ModelListTimeout <= TimeSpan.Zero || options.ModelListCacheDuration < TimeSpan.Zero)
        {
            throw new InvalidOperationException("CompatAI:Gateway:ModelListTimeout must be positive and CompatAI:Gateway:ModelListCacheDuration must not be negative.");
        }

        if (options.MaxClientsPerProvider < 1)
        {
            throw new InvalidOperationException($"CompatAI:Gateway:MaxClientsPerProvider is {options.MaxClientsPerProvider}; it must be at least 1.");
        }

        options.Limits.Validate();
        if (options.Limits.MaxBufferedRequestBodyBytes < options.MaxRequestBodyBytes)
        {
            throw new InvalidOperationException(
                $"CompatAI:Gateway:Limits:MaxBufferedRequestBodyBytes is {options.Limits.MaxBufferedRequestBodyBytes}; it must be at least CompatAI:Gateway:MaxRequestBodyBytes ({options.MaxRequestBodyBytes}), or the largest accepted body could never be read.");
        }
    }

    private static void ValidateEntry(IProviderClientFactory factory, string name, CompatChatClientOptions options)
    {
        try
        {
            factory.Create(name, options).Dispose();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"CompatAI:Providers:{name} is not usable: {ex.Message}", ex);
        }
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The library's mapping of a provider entry, with the key the gateway chose (own, passed through or a startup placeholder).</summary>
    private static CompatChatClientOptions OptionsFor(string name, CompatProviderConfiguration settings, ProviderCatalog catalog, string? apiKey)
    {
        var options = settings.ToClientOptions(name, catalog);
        options.ApiKey = apiKey;
        return options;
    }

    /// <summary>The built-in catalog with <c>CompatAI:Profiles:&lt;name&gt;</c> overrides applied, as <c>AddCompatChatClient</c> does.</summary>
    private static ProviderCatalog CatalogFrom(IConfiguration configuration)
    {
        var profiles = configuration.GetSection(CompatAIConfiguration.SectionName + ":Profiles");
        return profiles.Exists() ? ProviderCatalog.Default.WithOverrides(profiles) : ProviderCatalog.Default;
    }

    private static ConfiguredFallbackAdapter BuildFallback(CompatAIConfiguration compat, Dictionary<string, ConfiguredProviderAdapter> configured, int maxChains)
    {
        var members = new List<(string, ConfiguredProviderAdapter)>();
        for (var i = 0; i < compat.Fallback.Count; i++)
        {
            var name = compat.Fallback[i];
            if (!configured.TryGetValue(name, out var adapter))
            {
                throw new InvalidOperationException(
                    $"CompatAI:Fallback:{i}: '{name}' is not configured under CompatAI:Providers. The list names providers, as for AddCompatChatClient(); " +
                    "for a chain of '<provider>/<model>' names or of providers added in code, use CompatAI:Gateway:Chains:<name>.");
            }

            members.Add((name, adapter));
        }

        return new ConfiguredFallbackAdapter(members, compat.FallbackOptions, maxChains, StartupCheckKey);
    }

    private static ConfiguredRouterAdapter BuildRouter(CompatRoutingConfiguration routing, RouterOptions options, Dictionary<string, ConfiguredProviderAdapter> configured, int maxRouters)
    {
        var members = new List<ConfiguredRouterAdapter.Member>();
        for (var i = 0; i < routing.Candidates.Count; i++)
        {
            var entry = routing.Candidates[i];
            if (string.IsNullOrWhiteSpace(entry.Provider) || !configured.TryGetValue(entry.Provider, out var adapter))
            {
                throw new InvalidOperationException(
                    $"{CompatRoutingConfiguration.SectionName}:Candidates:{i}:Provider is '{entry.Provider}', which is not configured under CompatAI:Providers " +
                    $"(configured: {string.Join(", ", configured.Keys)}). A router's candidates are configured providers, as for AddCompatRouterChatClient().");
            }

            if (entry.Probe != ProviderProbeKind.None)
            {
                // Refused rather than ignored: an operator who asked for probes must not believe they run.
                throw new InvalidOperationException(
                    $"{CompatRoutingConfiguration.SectionName}:Candidates:{i}:Probe is '{entry.Probe}', but the gateway does not run active probes: " +
                    "its routers' health comes from their circuit breakers and cooldowns. Remove the setting here (AddCompatRouterChatClient() in an application runs it).");
            }

            var prefix = configured.Keys.First(k => k.Equals(entry.Provider, StringComparison.OrdinalIgnoreCase));
            members.Add(new ConfiguredRouterAdapter.Member(prefix, string.IsNullOrWhiteSpace(entry.Name) ? prefix : entry.Name, adapter, entry.Quality, entry.Weight));
        }

        return new ConfiguredRouterAdapter(members, options, maxRouters, StartupCheckKey);
    }

    /// <summary>Named chains used to live under <c>CompatAI:Fallback:&lt;chain&gt;</c>; they are gateway-only and now live under <c>CompatAI:Gateway:Chains</c>.</summary>
    private static void RejectGatewayOnlyFallbackShapes(IConfigurationSection section)
    {
        foreach (var child in section.GetChildren())
        {
            if (!int.TryParse(child.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                throw new InvalidOperationException(
                    $"{child.Path}: CompatAI:Fallback is the library's list of provider names (CompatAI:Fallback:0, :1, ...). Move the named chain '{child.Key}' to CompatAI:Gateway:Chains:{child.Key}.");
            }
        }
    }
}

/// <summary>The configuration the gateway reads its providers and fallback chains from.</summary>
internal sealed record GatewayConfigurationSource(IConfiguration Configuration);
