using System.Diagnostics;
using System.Runtime.CompilerServices;
using CompatAI.Gateway.Adapters;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Management;

/// <summary>
/// Wraps a router target to measure what it serves. For a provider: one attempt per call (outcome, duration, time to first
/// token, tokens, cost). For the library's fallback chain: the attempt of the member that served, each failed or skipped
/// member's attempt (read from the chain's <c>compatai.fallback.attempts</c> telemetry during the request), and a
/// routing decision. The client's own cancellation is not an outcome of the provider and is not counted.
/// </summary>
internal sealed class ObservedAdapter : IGatewayAdapter
{
    private readonly GatewayObservation _observation;
    private readonly GatewayObservation.LibraryChain? _chain;
    private readonly bool _gatewayChain;

    public ObservedAdapter(IGatewayAdapter inner, GatewayObservation observation, GatewayObservation.LibraryChain? chain, bool gatewayChain = false)
    {
        Inner = inner;
        _observation = observation;
        _chain = gatewayChain ? null : chain;
        _gatewayChain = gatewayChain;
        ChainName = chain?.Name;
    }

    /// <summary>Gets the chain's name when this wraps a chain.</summary>
    public string? ChainName { get; }

    /// <summary>Gets the wrapped adapter.</summary>
    public IGatewayAdapter Inner { get; }

    public Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken) =>
        Inner.ListModelsAsync(context, cancellationToken);

    public async Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken)
    {
        if (_gatewayChain)
        {
            return await CompleteGatewayChainAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var start = Stopwatch.GetTimestamp();
        using var scope = _chain is null ? null : GatewayObservation.BeginChain(_observation);
        ChatResponse response;
        try
        {
            response = await Inner.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Fail(request, ex, start, scope);
            throw;
        }

        Serve(request, response.ModelId, response.Usage, GatewayObservation.CostOf(response.AdditionalProperties, response.Usage), start, null, scope, response.AdditionalProperties);
        return response;
    }

    public IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, CancellationToken cancellationToken) =>
        _gatewayChain ? StreamGatewayChainAsync(request, cancellationToken) : StreamObservedAsync(request, cancellationToken);

    private async IAsyncEnumerable<ChatResponseUpdate> StreamObservedAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var scope = _chain is null ? null : GatewayObservation.BeginChain(_observation);
        long? firstAt = null;
        string? model = null;
        UsageDetails? usage = null;
        GatewayObservation.Cost? cost = null;
        AdditionalPropertiesDictionary? tags = null;
        var enumerator = Inner.StreamAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool has;
                try
                {
                    has = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    Fail(request, ex, start, scope);
                    throw;
                }

                if (!has)
                {
                    break;
                }

                var update = enumerator.Current;
                firstAt ??= Stopwatch.GetTimestamp();
                model ??= update.ModelId;
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent u)
                    {
                        usage = u.Details;
                    }
                }

                cost = GatewayObservation.CostOf(update.AdditionalProperties, usage) ?? cost;
                if (tags is null && update.AdditionalProperties is { } properties
                    && (properties.ContainsKey(GatewayObservation.RouteStrategyKey) || properties.ContainsKey(GatewayObservation.EnsembleModeKey)))
                {
                    tags = properties;
                }

                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        Serve(request, model, usage, cost, start, firstAt, scope, tags);
    }

    /// <summary>A gateway chain: its members' wrapped adapters record their own attempts; this records the decision.</summary>
    private async Task<ChatResponse> CompleteGatewayChainAsync(GatewayChatRequest request, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var attempts = _observation.BeginGatewayChain(request.Context.RequestId);
        try
        {
            var response = await Inner.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
            GatewayChainDecision(request, attempts, start, null);
            return response;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            GatewayChainDecision(request, attempts, start, ex);
            throw;
        }
        finally
        {
            _observation.EndGatewayChain(request.Context.RequestId);
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamGatewayChainAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var attempts = _observation.BeginGatewayChain(request.Context.RequestId);
        var enumerator = Inner.StreamAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool has;
                try
                {
                    has = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    GatewayChainDecision(request, attempts, start, ex);
                    throw;
                }

                if (!has)
                {
                    break;
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            _observation.EndGatewayChain(request.Context.RequestId);
        }

        GatewayChainDecision(request, attempts, start, null);
    }

    private void GatewayChainDecision(GatewayChatRequest request, List<RoutingAttempt> attempts, long start, Exception? failure)
    {
        List<RoutingAttempt> tried;
        lock (attempts)
        {
            tried = [.. attempts];
        }

        var chosen = failure is null ? request.Context.ServedBy : null;
        var reason = failure is not null
            ? $"every entry failed: {string.Join(", ", tried.Select(a => $"{a.Provider}: {a.Outcome}"))}"
            : tried.Count <= 1 ? $"first in order; {chosen} served" : $"{string.Join(", ", tried.Take(tried.Count - 1).Select(a => $"{a.Provider}: {a.Outcome}"))}; then {chosen} served";
        _observation.Decisions.Record(new RoutingDecision(
            _observation.Time.GetUtcNow(), request.Context.RequestId, ChainName!, "gateway chain (in order)", chosen, tried, reason,
            GatewayObservation.Seconds(start, Stopwatch.GetTimestamp()) * 1000));
    }

    private void Serve(GatewayChatRequest request, string? responseModel, UsageDetails? usage, GatewayObservation.Cost? cost, long start, long? firstAt, GatewayObservation.ChainScope? scope, AdditionalPropertiesDictionary? properties)
    {
        var end = Stopwatch.GetTimestamp();
        var client = _observation.ClientKeyId();
        var seconds = GatewayObservation.Seconds(start, end);
        double? ttft = firstAt is { } first ? GatewayObservation.Seconds(start, first) : null;
        // An answer from the response cache is not a call to the provider: it costs nothing and says nothing of the
        // provider's speed, so it is left out of the figures (the response still carries the original usage and cost).
        var fromCache = GatewayRequestContext.Current?.CacheHit == true;
        if (_chain is null)
        {
            if (fromCache)
            {
                _observation.NoteChainAttempt(request.Context.RequestId, request.Context.ProviderName, GatewayMetrics.Success);
                return;
            }

            _observation.Served(request.Context.ProviderName, ModelOf(request.Context.ModelId, responseModel), client, seconds, ttft, usage, cost);
            _observation.NoteChainAttempt(request.Context.RequestId, request.Context.ProviderName, GatewayMetrics.Success);
            _observation.NotePipelineDecision(request.Context.ProviderName, request.Context.RequestId, properties, seconds);
            return;
        }

        var servedBy = request.Context.ServedBy;
        var attempts = ChainAttempts(scope!, client, servedBy);
        var member = _chain.Members.FirstOrDefault(m => string.Equals(m.Prefix, servedBy, StringComparison.OrdinalIgnoreCase));
        if (servedBy is not null && !fromCache)
        {
            _observation.Served(servedBy, ModelOf(null, responseModel ?? member?.DefaultModel), client, seconds, ttft, usage, cost);
            _observation.Health?.OnChainSuccess(servedBy);
        }

        if (_chain.IsRouter)
        {
            RouterDecision(request, servedBy, attempts, properties, seconds);
            return;
        }

        var reason = attempts.Count <= 1
            ? $"first in order; {servedBy ?? "a member"} served"
            : $"{string.Join(", ", attempts.Take(attempts.Count - 1).Select(a => $"{a.Provider}: {a.Outcome}"))}; then {servedBy ?? "a member"} served";
        _observation.Decisions.Record(new RoutingDecision(_observation.Time.GetUtcNow(), request.Context.RequestId, _chain.Name, "fallback (in order)", servedBy, attempts, reason, seconds * 1000));
    }

    /// <summary>Records a router's decision from its <c>compatai.route.*</c> tags: strategy, score and rank of the candidate that served.</summary>
    private void RouterDecision(GatewayChatRequest request, string? servedBy, List<RoutingAttempt> attempts, AdditionalPropertiesDictionary? properties, double seconds)
    {
        var strategy = properties?.TryGetValue(GatewayObservation.RouteStrategyKey, out var s) == true ? s?.ToString() : null;
        var score = properties?.TryGetValue(GatewayObservation.RouteScoreKey, out var sc) == true ? GatewayObservation.AsDouble(sc) : null;
        var rank = properties?.TryGetValue(GatewayObservation.RouteRankKey, out var r) == true ? GatewayObservation.AsDouble(r) : null;
        var scoreText = score is { } v && double.IsFinite(v) ? ", score " + v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "";
        var rankText = rank is { } n ? $"rank {n.ToString(System.Globalization.CultureInfo.InvariantCulture)}{scoreText}" : "unranked";
        var chose = $"{strategy ?? "the"} strategy: {servedBy ?? "a candidate"} served at {rankText}";
        var reason = attempts.Count <= 1 ? chose : $"{string.Join(", ", attempts.Take(attempts.Count - 1).Select(a => $"{a.Provider}: {a.Outcome}"))}; then {chose}";
        _observation.Decisions.Record(new RoutingDecision(_observation.Time.GetUtcNow(), request.Context.RequestId, _chain!.Name, "router: " + (strategy ?? "?"), servedBy, attempts, reason, seconds * 1000)
        {
            Score = score is { } finite && double.IsFinite(finite) ? finite : null,
            Rank = rank is { } position ? (int)position : null,
        });
    }

    private void Fail(GatewayChatRequest request, Exception ex, long start, GatewayObservation.ChainScope? scope)
    {
        if (ex is BudgetExceededException)
        {
            // Refused before anything was sent: not an outcome of the provider, so neither its figures nor its health change.
            return;
        }

        var client = _observation.ClientKeyId();
        var seconds = GatewayObservation.Seconds(start, Stopwatch.GetTimestamp());
        if (_chain is null)
        {
            _observation.Failed(request.Context.ProviderName, ModelOf(request.Context.ModelId, null), client, GatewayObservation.OutcomeOf(ex), seconds);
            _observation.NoteChainAttempt(request.Context.RequestId, request.Context.ProviderName, GatewayObservation.OutcomeOf(ex));
            return;
        }

        var attempts = ChainAttempts(scope!, client, null);
        var what = _chain.IsRouter ? "candidate" : "member";
        var reason = attempts.Count == 0
            ? $"no {what} was tried ({GatewayObservation.OutcomeOf(ex)})"
            : $"every {what} failed: {string.Join(", ", attempts.Select(a => $"{a.Provider}: {a.Outcome}"))}";
        var strategy = _chain.IsRouter && _chain.Strategy is { } named ? "router: " + named : "fallback (in order)";
        _observation.Decisions.Record(new RoutingDecision(_observation.Time.GetUtcNow(), request.Context.RequestId, _chain.Name, strategy, null, attempts, reason, seconds * 1000));
    }

    /// <summary>
    /// Maps the chain's per-attempt telemetry (catalog provider names, in order) to member prefixes, records the failed and
    /// skipped ones, and returns every attempt. Attempts come in chain order, so equal catalog names map to members in order.
    /// </summary>
    private List<RoutingAttempt> ChainAttempts(GatewayObservation.ChainScope scope, string client, string? servedBy)
    {
        var members = _chain!.Members;
        var result = new List<RoutingAttempt>(scope.Attempts.Count);
        var next = 0;
        foreach (var (profile, outcome) in scope.Attempts)
        {
            // A router's candidates have distinct names and are tried in rank order: match anywhere.
            var index = -1;
            for (var i = _chain.IsRouter ? 0 : next; i < members.Count; i++)
            {
                if (string.Equals(members[i].ProfileName, profile, StringComparison.OrdinalIgnoreCase))
                {
                    index = i;
                    break;
                }
            }

            var member = index >= 0 ? members[index] : null;
            next = index >= 0 ? index + 1 : next;
            var prefix = outcome == GatewayMetrics.Success && servedBy is not null ? servedBy : member?.Prefix ?? profile;
            result.Add(new RoutingAttempt(prefix, outcome));
            if (outcome != GatewayMetrics.Success)
            {
                _observation.Failed(prefix, member?.DefaultModel ?? GatewayObservation.DefaultModel, client, outcome, null);
            }
        }

        return result;
    }

    private static string ModelOf(string? requested, string? responded) =>
        !string.IsNullOrEmpty(requested) ? requested : !string.IsNullOrEmpty(responded) ? responded : GatewayObservation.DefaultModel;
}
