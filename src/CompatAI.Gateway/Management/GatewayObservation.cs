using System.Diagnostics;
using System.Globalization;
using CompatAI.Gateway.Adapters;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Management;

/// <summary>
/// Turns what the gateway serves into measurements on <see cref="GatewayMetrics"/> (attempts, durations, time to first
/// token, tokens, cost) and routing decisions; wraps the router's adapters in <see cref="ObservedAdapter"/>.
/// </summary>
internal sealed class GatewayObservation
{
    /// <summary>The response key the library's cost tracking (<c>UseCostTracking</c>) sets: the cost as a <see cref="decimal"/>.</summary>
    public const string CostKey = "compatai.cost";

    /// <summary>The response key holding the ISO 4217 currency of <see cref="CostKey"/>.</summary>
    public const string CurrencyKey = "compatai.cost.currency";

    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key the library's cost tracking sets: the cost in millionths.</summary>
    public const string CostMicrosKey = "compatai.cost_micros";

    /// <summary>The response key a provider-reported cost (OpenRouter's <c>usage.cost</c>) lands under, in US dollars.</summary>
    public const string ReportedCostKey = "cost";

    /// <summary>The response key the library's router (<c>RouterChatClient</c>) names its strategy under.</summary>
    public const string RouteStrategyKey = "compatai.route.strategy";

    /// <summary>The response key naming the router candidate that served.</summary>
    public const string RouteCandidateKey = "compatai.route.candidate";

    /// <summary>The response key holding the serving candidate's score.</summary>
    public const string RouteScoreKey = "compatai.route.score";

    /// <summary>The response key holding the serving candidate's rank (1 for the first choice).</summary>
    public const string RouteRankKey = "compatai.route.rank";

    /// <summary>The response key the library's <c>EnsembleChatClient</c> names its mode under.</summary>
    public const string EnsembleModeKey = "compatai.ensemble.mode";

    /// <summary>The response key naming the ensemble member whose answer is the response.</summary>
    public const string EnsembleWinnerKey = "compatai.ensemble.winner";

    /// <summary>The response key holding every ensemble member's outcome (a list).</summary>
    public const string EnsembleMembersKey = "compatai.ensemble.members";

    public const string AnonymousClient = Hosting.GatewayKeyId.Anonymous;
    public const string DefaultModel = "(default)";

    private static readonly AsyncLocal<ChainScope?> s_scope = new();
    private readonly IHttpContextAccessor _http;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<RoutingAttempt>> _gatewayChains = new(StringComparer.Ordinal);

    public GatewayObservation(GatewayMetrics metrics, RecentLog<RoutingDecision> decisions, IHttpContextAccessor http, TimeProvider time)
    {
        Metrics = metrics;
        Decisions = decisions;
        _http = http;
        Time = time;
    }

    public GatewayMetrics Metrics { get; }

    public RecentLog<RoutingDecision> Decisions { get; }

    public TimeProvider Time { get; }

    /// <summary>Gets or sets the health source fed with chain outcomes (the default one; <see langword="null"/> when replaced).</summary>
    public ObservedProviderHealth? Health { get; set; }

    /// <summary>The chain request being observed on this async flow, if any.</summary>
    public static ChainScope? CurrentScope => s_scope.Value;

    public IGatewayAdapter ObserveProvider(IGatewayAdapter adapter) => new ObservedAdapter(adapter, this, null);

    public IGatewayAdapter ObserveLibraryChain(string name, IGatewayAdapter adapter, IReadOnlyList<ChainMember> members) =>
        new ObservedAdapter(adapter, this, new LibraryChain(name, members));

    /// <summary>
    /// Observes the <c>CompatAI:Routing</c> router: like the library chain, with members matched by candidate name (the
    /// router tries them in rank order, not configured order) and decisions that carry the strategy, score and rank.
    /// </summary>
    public IGatewayAdapter ObserveRouter(string name, IGatewayAdapter adapter, IReadOnlyList<ChainMember> members, string strategy) =>
        new ObservedAdapter(adapter, this, new LibraryChain(name, members, IsRouter: true, Strategy: strategy));

    public IGatewayAdapter ObserveGatewayChain(string name, IGatewayAdapter adapter) => new ObservedAdapter(adapter, this, new LibraryChain(name, []), gatewayChain: true);

    /// <summary>Starts collecting the provider attempts of a gateway chain's request (they carry its request id).</summary>
    public List<RoutingAttempt> BeginGatewayChain(string requestId) => _gatewayChains[requestId] = [];

    public void EndGatewayChain(string requestId) => _gatewayChains.TryRemove(requestId, out _);

    /// <summary>Adds a provider attempt to the gateway chain serving <paramref name="requestId"/>, if one is.</summary>
    public void NoteChainAttempt(string requestId, string provider, string outcome)
    {
        if (_gatewayChains.TryGetValue(requestId, out var attempts))
        {
            lock (attempts)
            {
                attempts.Add(new RoutingAttempt(provider, outcome));
            }
        }
    }

    public static ChainScope BeginChain(object owner)
    {
        var scope = new ChainScope(owner);
        s_scope.Value = scope;
        return scope;
    }

    /// <summary>A short, stable id for the client's key (the first 12 hex digits of its SHA-256), never the key.</summary>
    public string ClientKeyId() => Hosting.GatewayKeyId.Of(_http.HttpContext?.Request.Headers);

    /// <summary>Records a served attempt: counts, duration, time to first token, tokens and cost.</summary>
    public void Served(string provider, string model, string client, double seconds, double? ttftSeconds, UsageDetails? usage, Cost? cost, string endpoint = GatewayMetrics.ChatEndpoint)
    {
        var m = Metrics;
        KeyValuePair<string, object?> p = new(GatewayMetrics.ProviderTag, provider), mo = new(GatewayMetrics.ModelTag, model);
        KeyValuePair<string, object?> c = new(GatewayMetrics.ClientTag, client), ok = new(GatewayMetrics.OutcomeTag, GatewayMetrics.Success);
        KeyValuePair<string, object?> e = new(GatewayMetrics.EndpointTag, endpoint);
        m.Attempts.Add(1, p, mo, ok, c, e);
        m.Duration.Record(seconds, p, mo, ok, e);
        if (ttftSeconds is { } ttft)
        {
            m.TimeToFirstToken.Record(ttft, p, mo, e);
        }

        if (usage?.InputTokenCount is { } input and > 0)
        {
            m.Tokens.Add(input, p, mo, c, new(GatewayMetrics.TokenTypeTag, "input"), e);
        }

        if (usage?.OutputTokenCount is { } output and > 0)
        {
            m.Tokens.Add(output, p, mo, c, new(GatewayMetrics.TokenTypeTag, "output"), e);
        }

        if (cost is { } money)
        {
            m.Cost.Add(money.Amount, p, mo, c, new(GatewayMetrics.CurrencyTag, money.Currency), e);
        }
    }

    /// <summary>Records a failed (or, with <see cref="GatewayMetrics.CircuitOpen"/>, skipped) attempt.</summary>
    public void Failed(string provider, string model, string client, string outcome, double? seconds, string endpoint = GatewayMetrics.ChatEndpoint)
    {
        KeyValuePair<string, object?> p = new(GatewayMetrics.ProviderTag, provider), mo = new(GatewayMetrics.ModelTag, model);
        KeyValuePair<string, object?> o = new(GatewayMetrics.OutcomeTag, outcome), e = new(GatewayMetrics.EndpointTag, endpoint);
        Metrics.Attempts.Add(1, p, mo, o, new(GatewayMetrics.ClientTag, client), e);
        if (seconds is { } s)
        {
            Metrics.Duration.Record(s, p, mo, o, e);
        }
    }

    /// <summary>
    /// Records the decision a provider's own pipeline reports on its response: a router's strategy, candidate, score and
    /// rank, or an ensemble's mode, winner and member count (the library's <c>RouterChatClient</c> and
    /// <c>EnsembleChatClient</c> tags, read by key so that any pipeline that sets them is shown).
    /// </summary>
    public void NotePipelineDecision(string provider, string requestId, AdditionalPropertiesDictionary? properties, double seconds)
    {
        if (properties is null)
        {
            return;
        }

        if (properties.TryGetValue(RouteStrategyKey, out var strategy) && strategy is not null)
        {
            var candidate = properties.TryGetValue(RouteCandidateKey, out var c) ? c?.ToString() : null;
            var score = properties.TryGetValue(RouteScoreKey, out var sc) ? AsDouble(sc) : null;
            var rank = properties.TryGetValue(RouteRankKey, out var r) ? AsDouble(r) : null;
            var reason = $"{strategy} strategy chose {candidate ?? "a candidate"}" +
                (rank is { } n ? $" (rank {n.ToString(CultureInfo.InvariantCulture)}" + (score is { } v ? $", score {v.ToString("0.####", CultureInfo.InvariantCulture)})" : ")") : "");
            Decisions.Record(new RoutingDecision(Time.GetUtcNow(), requestId, provider, "router: " + strategy, candidate, [], reason, seconds * 1000)
            {
                Score = score is { } finite && double.IsFinite(finite) ? finite : null,
                Rank = rank is { } n2 ? (int)n2 : null,
            });
        }

        if (properties.TryGetValue(EnsembleModeKey, out var mode) && mode is not null)
        {
            var winner = properties.TryGetValue(EnsembleWinnerKey, out var w) ? w?.ToString() : null;
            var members = properties.TryGetValue(EnsembleMembersKey, out var m) && m is System.Collections.ICollection list ? list.Count : (int?)null;
            Ensembles.Record(new EnsembleOutcome(Time.GetUtcNow(), requestId, provider, mode.ToString()!, winner, members, seconds * 1000));
        }
    }

    /// <summary>Gets the last ensemble outcomes reported by providers' pipelines.</summary>
    public RecentLog<EnsembleOutcome> Ensembles { get; } = new(50);

    public static string OutcomeOf(Exception ex) => ex switch
    {
        ProviderException provider => provider.Kind.ToString(),
        OperationCanceledException => "Timeout",
        _ => "Error",
    };

    /// <summary>The cost a response carries: the library's cost tracking first, then a provider-reported cost (US dollars).</summary>
    public static Cost? CostOf(AdditionalPropertiesDictionary? properties, UsageDetails? usage)
    {
        var currency = properties?.TryGetValue(CurrencyKey, out var cur) == true && cur?.ToString() is { Length: 3 } code ? code : "USD";
        if (properties?.TryGetValue(CostKey, out var tracked) == true && AsDouble(tracked) is { } amount)
        {
            return new Cost(amount, currency);
        }

        if (usage?.AdditionalCounts?.TryGetValue(CostMicrosKey, out var micros) == true)
        {
            return new Cost(micros / 1_000_000d, currency);
        }

        if (properties?.TryGetValue(ReportedCostKey, out var reported) == true && AsDouble(reported) is { } value)
        {
            return new Cost(value, "USD");
        }

        return null;
    }

    public static double Seconds(long fromTimestamp, long toTimestamp) => Stopwatch.GetElapsedTime(fromTimestamp, toTimestamp).TotalSeconds;

    internal static double? AsDouble(object? value) => value switch
    {
        decimal d => (double)d,
        double d => d,
        float f => f,
        long l => l,
        int i => i,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e => e.GetDouble(),
        _ => null,
    };

    /// <summary>A cost and its currency.</summary>
    internal readonly record struct Cost(double Amount, string Currency);

    /// <summary>The library's fallback chain, as the observation needs it.</summary>
    /// <param name="Name">The model name the chain is served as.</param>
    /// <param name="Members">The members; for a router, <see cref="ChainMember.ProfileName"/> is the candidate name its telemetry uses.</param>
    /// <param name="IsRouter">Whether this is a router (members tried in rank order, named by candidate).</param>
    /// <param name="Strategy">A router's strategy name (lower case), for decisions that have no response to read it from.</param>
    internal sealed record LibraryChain(string Name, IReadOnlyList<ChainMember> Members, bool IsRouter = false, string? Strategy = null);

    /// <summary>The attempts a library fallback chain reported (through the CompatAI meter) during one request.</summary>
    internal sealed class ChainScope : IDisposable
    {
        public ChainScope(object owner) => Owner = owner;

        public object Owner { get; }

        public List<(string Profile, string Outcome)> Attempts { get; } = [];

        public void Dispose() => s_scope.Value = null;
    }
}
