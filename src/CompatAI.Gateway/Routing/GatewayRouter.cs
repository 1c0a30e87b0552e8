using System.Collections.Frozen;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Configuration;
using CompatAI.Gateway.Errors;
using CompatAI.Gateway.Wire;

namespace CompatAI.Gateway.Routing;

/// <summary>Resolves a requested model name (<c>&lt;provider&gt;/&lt;model&gt;</c>, an alias or a fallback chain) to a provider.</summary>
internal sealed class GatewayRouter
{
    private readonly FrozenDictionary<string, IGatewayAdapter> _providers;
    private readonly FrozenDictionary<string, IGatewayAdapter> _chains;
    private readonly FrozenDictionary<string, string> _aliases;
    private readonly string? _defaultProvider;

    /// <summary>Creates the router.</summary>
    /// <param name="providers">The providers, by model prefix.</param>
    /// <param name="models">Models served without a prefix (the <c>CompatAI:Fallback</c> chain, <c>fallback</c>).</param>
    /// <param name="options">The gateway options: aliases, the default provider and <c>CompatAI:Gateway:Chains</c>.</param>
    /// <param name="observeChain">Wraps each <c>CompatAI:Gateway:Chains</c> chain (the management API's observation), or <see langword="null"/>.</param>
    public GatewayRouter(
        IReadOnlyDictionary<string, IGatewayAdapter> providers,
        IReadOnlyDictionary<string, IGatewayAdapter> models,
        GatewayOptions options,
        Func<string, IGatewayAdapter, IGatewayAdapter>? observeChain = null)
    {
        _providers = providers.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _aliases = options.Aliases.ToFrozenDictionary(StringComparer.Ordinal);
        _defaultProvider = string.IsNullOrWhiteSpace(options.DefaultProvider) ? null : options.DefaultProvider;
        if (_defaultProvider is not null && !_providers.ContainsKey(_defaultProvider))
        {
            throw new InvalidOperationException($"CompatAI:Gateway:DefaultProvider is '{_defaultProvider}', which is not a configured provider. Known: {string.Join(", ", _providers.Keys)}.");
        }

        var built = new Dictionary<string, IGatewayAdapter>(models, StringComparer.Ordinal);
        var chains = new List<FallbackChainAdapter>();
        foreach (var (name, entries) in options.Chains)
        {
            if (built.ContainsKey(name))
            {
                throw new InvalidOperationException($"CompatAI:Gateway:Chains:{name} has the name of the model '{name}' served for {Origin(name)}; rename the chain.");
            }

            var chain = new FallbackChainAdapter(name, [.. entries], this);
            chains.Add(chain);
            built[name] = observeChain?.Invoke(name, chain) ?? chain;
        }

        foreach (var name in built.Keys)
        {
            if (_providers.ContainsKey(name))
            {
                throw new InvalidOperationException(models.ContainsKey(name)
                    ? $"CompatAI:Providers:{name} has the name of the model '{name}' served for {Origin(name)}; rename the provider."
                    : $"The fallback chain '{name}' has the same name as a provider; rename one of them.");
            }
        }

        _chains = built.ToFrozenDictionary(StringComparer.Ordinal);
        foreach (var chain in chains)
        {
            chain.Validate();
        }

        foreach (var (alias, target) in _aliases)
        {
            if (_chains.ContainsKey(alias))
            {
                // An alias may shadow a bare provider name (to pick its model), but hiding a router or chain is a mistake.
                throw new InvalidOperationException(
                    $"CompatAI:Gateway:Aliases:{alias} has the name of {(models.ContainsKey(alias) ? $"the model '{alias}' served for {Origin(alias)}" : "a fallback chain")}, which it would hide; rename the alias.");
            }

            if (_aliases.ContainsKey(target) || !TryResolve(target, out _, out _))
            {
                throw new InvalidOperationException($"CompatAI:Gateway:Aliases:{alias} points to '{target}', which is not a '<provider>/<model>' of a configured provider or a fallback chain.");
            }
        }
    }

    public IReadOnlyDictionary<string, IGatewayAdapter> Providers => _providers;

    public IReadOnlyCollection<string> ChainNames => _chains.Keys;

    public IReadOnlyDictionary<string, string> Aliases => _aliases;

    /// <summary>Resolves a model name; throws <see cref="RequestValidationException"/> with 404 <c>model_not_found</c> when nothing matches.</summary>
    public RouteMatch Resolve(string model)
    {
        if (TryResolve(model, out var match, out var error))
        {
            return match;
        }

        throw new RequestValidationException(error!);
    }

    public bool TryResolve(string model, out RouteMatch match, out GatewayError? error)
    {
        error = null;
        if (_aliases.TryGetValue(model, out var target))
        {
            model = target;
        }

        if (_chains.TryGetValue(model, out var chain))
        {
            match = new RouteMatch(model, chain, null);
            return true;
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 && _providers.TryGetValue(model, out var bare))
        {
            // A bare provider name means "its default model".
            match = new RouteMatch(CanonicalName(model), bare, null);
            return true;
        }

        if (slash > 0 && _providers.TryGetValue(model[..slash], out var adapter))
        {
            var upstream = model[(slash + 1)..];
            if (upstream.Length == 0)
            {
                match = default;
                error = GatewayError.Invalid("model", $"'model' is '{GatewayText.Echo(model)}', with nothing after the provider prefix. Use '{GatewayText.Echo(model)}<model-id>'.");
                return false;
            }

            match = new RouteMatch(CanonicalName(model[..slash]), adapter, upstream);
            return true;
        }

        if (_defaultProvider is not null)
        {
            match = new RouteMatch(CanonicalName(_defaultProvider), _providers[_defaultProvider], model);
            return true;
        }

        match = default;
        error = GatewayError.ModelNotFound(model);
        return false;
    }

    /// <summary>Names the configuration a built-in model comes from, for clash messages.</summary>
    private static string Origin(string model) => model switch
    {
        ConfiguredRouterAdapter.ModelName => CompatRoutingConfiguration.SectionName,
        ConfiguredFallbackAdapter.ModelName => "CompatAI:Fallback",
        _ => "a chain",
    };

    private string CanonicalName(string name)
    {
        foreach (var key in _providers.Keys)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return key;
            }
        }

        return name;
    }
}
