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
        UpstreamHttpClient httpClient,
        ILogger<GatewayRuntime> logger)
    {
        Options = options.Value;
        ValidateOptions(Options);
        _keyHashes = [.. Options.Keys.Where(k => !string.IsNullOrEmpty(k)).Select(Hash)];
        HeaderFilter = new InboundHeaderFilter(Options.ForwardHeaders);

        var providers = new Dictionary<string, IGatewayAdapter>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in configuration.Configuration.GetSection("CompatAI:Providers").GetChildren())
        {
            var name = section.Key;
            if (name.Contains('/', StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"CompatAI:Providers:{name}: a provider name is a model prefix and must not contain '/'.");
            }

            var entry = section.Get<ProviderEntry>() ?? new ProviderEntry();
            entry.Section = section;
            IChatClient Build(string? key)
            {
                var client = clientFactory.Create(name, entry, key);
                foreach (var step in pipeline.Steps)
                {
                    client = step(name, client, services);
                }

                return client;
            }

            if (string.IsNullOrEmpty(entry.ApiKey))
            {
                // Fail at startup on a wrong provider name or a missing endpoint, not at the first request.
                ValidateEntry(clientFactory, name, entry);
            }

            ConfiguredProviderAdapter adapter;
            try
            {
                adapter = new ConfiguredProviderAdapter(name, entry, Build, Options.MaxClientsPerProvider, httpClient.Client);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"CompatAI:Providers:{name} is not usable: {ex.Message}", ex);
            }

            _owned.Add(adapter);
            providers[name] = adapter;
            Log.ProviderConfigured(logger, name, entry.Provider ?? name, adapter.PassesCredentialThrough);
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

        Router = new GatewayRouter(providers, ReadChains(configuration.Configuration.GetSection("CompatAI:Fallback")), Options);
    }

    public GatewayOptions Options { get; }

    public GatewayRouter Router { get; }

    public InboundHeaderFilter HeaderFilter { get; }

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
    }

    private static void ValidateEntry(IProviderClientFactory factory, string name, ProviderEntry entry)
    {
        try
        {
            factory.Create(name, entry, StartupCheckKey).Dispose();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"CompatAI:Providers:{name} is not usable: {ex.Message}", ex);
        }
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// Reads <c>CompatAI:Fallback</c>: either one list (served as the model <c>fallback</c>) or named lists
    /// (<c>CompatAI:Fallback:&lt;chain&gt;</c>), each of <c>&lt;provider&gt;/&lt;model&gt;</c> names.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<string>> ReadChains(IConfigurationSection section)
    {
        var chains = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return chains;
        }

        if (children.All(c => int.TryParse(c.Key, out _)))
        {
            chains["fallback"] = [.. children.OrderBy(c => int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(c => c.Value).OfType<string>()];
            return chains;
        }

        foreach (var chain in children)
        {
            chains[chain.Key] = [.. chain.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue).Select(c => c.Value).OfType<string>()];
        }

        return chains;
    }
}

/// <summary>The configuration the gateway reads its providers and fallback chains from.</summary>
internal sealed record GatewayConfigurationSource(IConfiguration Configuration);
