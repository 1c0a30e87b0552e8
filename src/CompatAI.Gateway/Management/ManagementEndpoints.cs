using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Configuration;
using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Providers;
using CompatAI.Gateway.Routing;
using Microsoft.Extensions.Configuration;

namespace CompatAI.Gateway.Management;

/// <summary>The handlers of the management API: read-only views over the runtime's providers and the aggregates.</summary>
internal sealed class ManagementEndpoints
{
    public const string DocumentName = "management";

    private static readonly (string Name, int Buckets)[] s_windows = [("1m", 4), ("15m", 60), ("1h", ProviderStatsStore.BucketCount)];
    private readonly GatewayRuntime _runtime;
    private readonly GatewayManagementState _state;
    private readonly IProviderHealthSource _health;
    private readonly IBudgetUsageSource _budgets;
    private readonly Cluster.IGatewayFigures _figures;
    private readonly CompatAIConfiguration _compat = new();
    private readonly ProviderCatalog _catalog;

    public ManagementEndpoints(GatewayRuntime runtime, GatewayManagementState state, IProviderHealthSource health, IBudgetUsageSource budgets, GatewayConfigurationSource configuration, Cluster.IGatewayFigures figures)
    {
        _figures = figures;
        _runtime = runtime;
        _state = state;
        _health = health;
        _budgets = budgets;
        var root = configuration.Configuration;
        _compat.Bind(root.GetSection(CompatAIConfiguration.SectionName));
        var profiles = root.GetSection(CompatAIConfiguration.SectionName + ":Profiles");
        _catalog = profiles.Exists() ? ProviderCatalog.Default.WithOverrides(profiles) : ProviderCatalog.Default;
    }

    public GatewayManagementOptions Options => _state.Options;

    public ListDto<ProviderDto> Providers()
    {
        var list = new List<ProviderDto>();
        foreach (var (name, wrapped) in _runtime.Router.Providers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var adapter = Unwrap(wrapped);
            var position = _compat.Fallback.FindIndex(f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase));
            if (adapter is ConfiguredProviderAdapter configured)
            {
                var profile = _catalog.TryGet(configured.ProfileName, out var p) ? p : null;
                list.Add(new ProviderDto(
                    name,
                    "configured",
                    configured.ProfileName,
                    profile?.DisplayName,
                    !configured.PassesCredentialThrough,
                    configured.PassesCredentialThrough ? "client key passed through" : "own key",
                    configured.ConfiguredModels,
                    profile is null ? null : Capabilities(profile, configured.ConfiguredModels.Count > 0 ? configured.ConfiguredModels[0] : null),
                    _health.GetHealth(name),
                    position >= 0 ? position : null));
            }
            else
            {
                var builtIn = adapter is ChatClientAdapter && name == "echo";
                list.Add(new ProviderDto(
                    name,
                    builtIn ? "built-in" : "code",
                    null,
                    builtIn ? "Echo (built in, offline)" : null,
                    null,
                    builtIn ? "none needed" : "set in code",
                    ModelsOf(adapter),
                    builtIn ? new CapabilitiesDto(false, false, false, false, false, true, false, null) : null,
                    _health.GetHealth(name),
                    null));
            }
        }

        return new(list, _state.Time.GetUtcNow());
    }

    public ListDto<ModelCapabilitiesDto> Capabilities()
    {
        var list = new List<ModelCapabilitiesDto>();
        foreach (var provider in Providers().Data)
        {
            var profile = provider.CatalogProvider is { } catalogName && _catalog.TryGet(catalogName, out var p) ? p : null;
            foreach (var model in provider.Models)
            {
                list.Add(new ModelCapabilitiesDto(
                    provider.Name + "/" + model,
                    provider.Name,
                    profile is not null ? "catalog profile '" + profile.Name + "'" : provider.Capabilities is not null ? "built-in" : "unknown (added in code)",
                    profile is not null ? Capabilities(profile, model) : provider.Capabilities));
            }
        }

        return new(list, _state.Time.GetUtcNow());
    }

    public RoutingDto Routing()
    {
        var chains = new List<ChainDto>();
        if (_compat.Fallback.Count > 0)
        {
            var breaker = _compat.FallbackOptions.CircuitBreaker;
            var current = _compat.Fallback.FirstOrDefault(m => _health.GetHealth(m).State != ProviderHealthSnapshot.Unhealthy);
            chains.Add(new ChainDto(
                ConfiguredFallbackAdapter.ModelName,
                "CompatAI:Fallback (library FallbackChatClient: in order, circuit breaker per member)",
                [.. _compat.Fallback],
                current,
                new BreakerDto(breaker.Enabled, breaker.FailureRatio, breaker.MinimumThroughput, breaker.SamplingDuration.TotalSeconds, breaker.BreakDuration.TotalSeconds)));
        }

        foreach (var (name, entries) in _runtime.Options.Chains.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var current = entries.FirstOrDefault(e => _health.GetHealth(e.Split('/')[0]).State != ProviderHealthSnapshot.Unhealthy);
            chains.Add(new ChainDto(name, "CompatAI:Gateway:Chains (in order, no breaker)", [.. entries], current, null));
        }

        var routers = new List<RouterDto>();
        if (_runtime.Router.TryResolve(ConfiguredRouterAdapter.ModelName, out var match, out _) && Unwrap(match.Adapter) is ConfiguredRouterAdapter router)
        {
            routers.Add(Describe(router));
        }

        return new RoutingDto(
            routers.Count > 0 ? "model prefix; router: " + routers[0].Strategy : "model prefix",
            "A request's model '<provider>/<model>' picks the provider; an alias or a chain name picks a chain, which tries its members in order" +
                (routers.Count > 0 ? "; the model 'router' ranks its candidates by its strategy and fails over along the ranking." : "."),
            _runtime.Options.DefaultProvider,
            _runtime.Router.Aliases,
            chains,
            _state.Decisions.Total,
            _state.Decisions.Recent(),
            _state.Time.GetUtcNow()) { Routers = routers };
    }

    /// <summary>Describes a router: settings, and its candidates ranked as a one-word request would be now (without sending it).</summary>
    private static RouterDto Describe(ConfiguredRouterAdapter adapter)
    {
        var router = adapter.Current;
        var options = adapter.Options;
        var health = router.GetHealth();
        var strategy = options.Strategy.ToString().ToLowerInvariant();
        var members = adapter.Members;
        var candidates = new List<RouterCandidateDto>();
        string? current = null;
        string rankedFor;
        if (options.Strategy is RoutingStrategy.WeightedRandom or RoutingStrategy.RoundRobin)
        {
            // Ranking draws (or advances the rotation): asking would change the next request's route.
            rankedFor = "not ranked: " + strategy + " draws the order per request";
            for (var i = 0; i < members.Count; i++)
            {
                candidates.Add(Candidate(members[i], health[i], null, null, null));
            }
        }
        else
        {
            rankedFor = "a one-message request without tools, images or a response format";
            RouteDecision? decision = null;
            string? none = null;
            try
            {
                decision = router.Decide([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "?")]);
            }
            catch (NoEligibleRouteException ex)
            {
                none = ex.Message;
            }

            foreach (var ranked in decision?.Ranked ?? [])
            {
                var i = IndexOf(members, ranked.Name);
                candidates.Add(Candidate(members[i], health[i], ranked.Rank, double.IsFinite(ranked.Score) ? ranked.Score : null, null));
            }

            for (var i = 0; i < members.Count; i++)
            {
                if (!candidates.Any(c => c.Name == members[i].CandidateName))
                {
                    var why = decision?.Excluded.FirstOrDefault(e => string.Equals(e.Name, members[i].CandidateName, StringComparison.OrdinalIgnoreCase))?.Reason ?? none;
                    candidates.Add(Candidate(members[i], health[i], null, null, why ?? "not eligible"));
                }
            }

            current = decision?.Ranked.FirstOrDefault(r => !r.CircuitOpen) is { } first ? members[IndexOf(members, first.Name)].Prefix : null;
        }

        var breaker = options.Failover.CircuitBreaker;
        var weights = options.BalancedWeights;
        return new RouterDto(
            ConfiguredRouterAdapter.ModelName,
            CompatRoutingConfiguration.SectionName + " (library RouterChatClient: rank by strategy, fail over along the ranking, circuit breaker per candidate)",
            strategy,
            new BalancedWeightsDto(weights.Cost, weights.Latency, weights.Quality),
            options.ExpectedOutputTokens,
            options.LatencyHalfLife.TotalSeconds,
            options.ExplorationInterval?.TotalSeconds,
            current,
            rankedFor,
            candidates,
            new BreakerDto(breaker.Enabled, breaker.FailureRatio, breaker.MinimumThroughput, breaker.SamplingDuration.TotalSeconds, breaker.BreakDuration.TotalSeconds));

        static int IndexOf(IReadOnlyList<ConfiguredRouterAdapter.Member> members, string name)
        {
            for (var i = 0; i < members.Count; i++)
            {
                if (string.Equals(members[i].CandidateName, name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            throw new InvalidOperationException($"The router reported a candidate '{name}' it was not configured with.");
        }

        static RouterCandidateDto Candidate(ConfiguredRouterAdapter.Member member, ProviderHealth health, int? rank, double? score, string? excluded) => new(
            member.CandidateName,
            member.Prefix,
            health.Provider,
            health.Model,
            rank,
            score,
            member.Quality,
            member.Weight,
            excluded,
            new RouterCandidateHealthDto(
                health.Status.ToString().ToLowerInvariant(),
                health.Breaker switch
                {
                    ProviderBreakerState.Closed => "closed",
                    ProviderBreakerState.Open => "open",
                    ProviderBreakerState.HalfOpen => "half_open",
                    _ => "disabled",
                },
                health.CoolingDownUntil,
                health.ErrorRate is { } rate ? Math.Round(rate, 4) : null,
                health.Latency is { } latency ? Math.Round(latency.TotalMilliseconds, 1) : null,
                health.Observations,
                health.LastObservedAt));
    }

    public async Task<PerformanceDto> PerformanceAsync(CancellationToken cancellationToken)
    {
        var (stats, scope) = await _figures.ReadStatsAsync(cancellationToken).ConfigureAwait(false);
        var series = stats.Keys.Select(k => new SeriesDto(k.Provider, k.Model, Windows(w => stats.Window(w, k.Provider, k.Model)))).ToList();
        var providers = new List<ProviderPerformanceDto>();
        foreach (var provider in _runtime.Router.Providers.Keys.Concat(stats.Keys.Select(k => k.Provider)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var timeline = stats.Timeline(provider, 60)
                .Select(p => new TimelinePointDto(ProviderStatsStore.SlotStart(p.Slot).ToUnixTimeMilliseconds(), p.Figures.Attempts, p.Figures.SuccessRate, LogHistogram.Quantile(p.Figures.Latency, p.Figures.LatencyCount, 0.95)))
                .ToList();
            providers.Add(new ProviderPerformanceDto(provider, Windows(w => stats.Window(w, provider)), timeline));
        }

        return new PerformanceDto(ProviderStatsStore.BucketSeconds, series, providers, _state.Time.GetUtcNow()) { Figures = FiguresDto(scope) };
    }

    public async Task<AnalyticsDto> AnalyticsAsync(CancellationToken cancellationToken)
    {
        var (rows, scope) = await _figures.ReadLedgerAsync(cancellationToken).ConfigureAwait(false);
        var (day, month) = _state.Ledger.Periods;
        var data = rows.Select(r => new UsageRowDto(r.Provider, r.Model, r.Client, Usage(r.Day, r.DayCost), Usage(r.Month, r.MonthCost))).ToList();
        var byProvider = new List<UsageRowDto>();
        foreach (var provider in _runtime.Router.Providers.Keys.Concat(rows.Select(r => r.Provider)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var mine = rows.Where(r => r.Provider == provider).ToList();
            byProvider.Add(new UsageRowDto(provider, "*", "*", Sum(mine, r => r.Day, r => r.DayCost), Sum(mine, r => r.Month, r => r.MonthCost)));
        }

        var budgets = await _budgets.GetBudgetsAsync(cancellationToken).ConfigureAwait(false);
        return new AnalyticsDto(day, month, data, byProvider, budgets,
            new EnsemblesDto(
                _state.Observation.Ensembles.Total,
                _state.Observation.Ensembles.Recent(),
                "Outcomes of ensembles that a provider's pipeline runs (the library's EnsembleChatClient reports mode, winner and members on each response)."),
            _state.Time.GetUtcNow()) { Figures = FiguresDto(scope) };
    }

    private static FiguresDto? FiguresDto(Cluster.FiguresScope? scope) => scope is null ? null : new FiguresDto(scope.Scope, scope.Note);

    private static IGatewayAdapter Unwrap(IGatewayAdapter adapter) => adapter is ObservedAdapter observed ? observed.Inner : adapter;

    private static IReadOnlyList<string> ModelsOf(IGatewayAdapter adapter) =>
        adapter is ChatClientAdapter chat && chat.ListModelsAsync(new GatewayRequestContext("management", null, new Dictionary<string, string>(StringComparer.Ordinal), null, ""), CancellationToken.None) is { IsCompletedSuccessfully: true } task
            ? task.Result
            : [];

    private static CapabilitiesDto Capabilities(ProviderProfile profile, string? model)
    {
        var quirks = profile.GetQuirks(model);
        var unsupported = quirks.UnsupportedParameters ?? [];
        return new CapabilitiesDto(
            !unsupported.Contains("tools", StringComparer.Ordinal),
            quirks.SupportsImageInput,
            quirks.SupportsJsonSchema,
            quirks.SupportsJsonMode,
            quirks.ReasoningFields is { Count: > 0 } || quirks.ReasoningTags is { Count: > 0 } ? true : null,
            true,
            quirks.SupportsResponsesApi,
            profile.GetContextWindow(model));
    }

    private static Dictionary<string, WindowDto> Windows(Func<int, WindowFigures> read)
    {
        var result = new Dictionary<string, WindowDto>(StringComparer.Ordinal);
        foreach (var (name, buckets) in s_windows)
        {
            var f = read(buckets);
            var seconds = buckets * ProviderStatsStore.BucketSeconds;
            result[name] = new WindowDto(
                seconds,
                f.Attempts,
                Math.Round(f.Attempts * 60.0 / seconds, 3),
                f.Successes,
                f.Failures,
                f.Skipped,
                f.SuccessRate,
                Percentiles(f.Latency, f.LatencyCount),
                Percentiles(f.Ttft, f.TtftCount),
                f.InputTokens,
                f.OutputTokens,
                f.SuccessSeconds > 0 ? Math.Round(f.OutputTokens / f.SuccessSeconds, 1) : null);
        }

        return result;
    }

    private static PercentilesDto Percentiles(long[] bins, long count) =>
        new(Round(LogHistogram.Quantile(bins, count, 0.50)), Round(LogHistogram.Quantile(bins, count, 0.95)), Round(LogHistogram.Quantile(bins, count, 0.99)), count);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;

    private static UsageDto Usage(UsageTotals totals, IReadOnlyDictionary<string, double> cost) =>
        new(totals.Requests, totals.InputTokens, totals.OutputTokens, cost);

    private static UsageDto Sum(List<LedgerRow> rows, Func<LedgerRow, UsageTotals> totals, Func<LedgerRow, IReadOnlyDictionary<string, double>> cost)
    {
        var money = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            foreach (var (currency, amount) in cost(row))
            {
                money[currency] = money.GetValueOrDefault(currency) + amount;
            }
        }

        return new UsageDto(rows.Sum(r => totals(r).Requests), rows.Sum(r => totals(r).InputTokens), rows.Sum(r => totals(r).OutputTokens), money);
    }
}
