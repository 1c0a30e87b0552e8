using System.Collections.Concurrent;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Logging;
using CompatAI.Gateway.Wire;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Routing;

/// <summary>Builds the <c>/v1/models</c> list: every provider's models (cached per provider), aliases and fallback chains.</summary>
internal sealed class ModelDirectory
{
    private readonly GatewayRuntime _runtime;
    private readonly ILogger<ModelDirectory> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, IReadOnlyList<string> Models)> _cache = new(StringComparer.OrdinalIgnoreCase);

    public ModelDirectory(GatewayRuntime runtime, ILogger<ModelDirectory> logger, TimeProvider? time = null)
    {
        _runtime = runtime;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public async Task<ModelListDto> ListAsync(Func<string, GatewayRequestContext> contextFor, CancellationToken cancellationToken)
    {
        var created = _time.GetUtcNow().ToUnixTimeSeconds();
        var providers = _runtime.Router.Providers;
        var lists = await Task.WhenAll(providers.Select(p => ListProviderAsync(p.Key, p.Value, contextFor(p.Key), cancellationToken))).ConfigureAwait(false);
        var data = new List<ModelDto>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (provider, models) in providers.Keys.Zip(lists))
        {
            foreach (var model in models.Order(StringComparer.Ordinal))
            {
                var id = provider + "/" + model;
                if (seen.Add(id))
                {
                    data.Add(new ModelDto { Id = id, Created = created, OwnedBy = provider });
                }
            }
        }

        foreach (var alias in _runtime.Router.Aliases.Keys.Concat(_runtime.Router.ChainNames))
        {
            if (seen.Add(alias))
            {
                data.Add(new ModelDto { Id = alias, Created = created, OwnedBy = "gateway" });
            }
        }

        data.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new ModelListDto { Data = [.. data] };
    }

    private async Task<IReadOnlyList<string>> ListProviderAsync(string name, IGatewayAdapter adapter, GatewayRequestContext context, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(name, out var cached) && cached.Expires > now)
        {
            return cached.Models;
        }

        IReadOnlyList<string> models;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_runtime.Options.ModelListTimeout);
        try
        {
            models = await adapter.ListModelsAsync(context, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // One provider that cannot list its models must not hide the others.
            Log.ModelListFailed(_logger, name, ex.GetType().Name);
            models = cached.Models ?? (adapter as Providers.ConfiguredProviderAdapter)?.ConfiguredModels ?? [];
            _cache[name] = (now + TimeSpan.FromSeconds(30), models);
            return models;
        }

        _cache[name] = (now + _runtime.Options.ModelListCacheDuration, models);
        return models;
    }
}
