using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using Polly.CircuitBreaker;

namespace CompatAI;

/// <summary>
/// Chooses, for each request, which of several provider pipelines serves it, built on Microsoft.Extensions.AI's
/// <see cref="RoutingChatClient"/> (through its <see cref="FailoverChatClient"/>): the candidates that can serve the
/// request (capabilities from the provider profiles: tools, image input, JSON schema, reasoning effort, context window
/// against the estimated prompt) are ranked by a <see cref="RoutingStrategy"/>, and the request fails over along that
/// ranking with exactly <see cref="FallbackChatClient"/>'s rules (the same classifier, per-candidate circuit breaker,
/// Retry-After cooldowns and attempt timeout). A candidate whose circuit is open is ranked last and skipped without a
/// call; one whose last active probe failed (<see cref="ProviderProber"/>) is ranked last.
/// </summary>
/// <remarks>
/// <para>
/// The response (and every update of a stream) carries <see cref="FallbackChatClient.ProviderKey"/> (the catalog
/// provider), <see cref="FallbackChatClient.ModelKey"/>, <see cref="FallbackChatClient.AttemptsKey"/>,
/// <see cref="CandidateKey"/>, <see cref="StrategyKey"/>, <see cref="ScoreKey"/> (see <see cref="RankedCandidate.Score"/>)
/// and <see cref="RankKey"/> (1 for the first choice) in <c>AdditionalProperties</c>; the same are set as tags on the
/// current activity. <see cref="Decide"/> shows the ranking without sending anything, <see cref="GetHealth"/> what is
/// known of each candidate's health.
/// </para>
/// <para>
/// A request whose <see cref="ChatOptions.ModelId"/> is set goes only to candidates of that model; when none serves it,
/// <see cref="ModelNotServedException"/> lists close matches. When no candidate can serve the request,
/// <see cref="NoEligibleRouteException"/> says why for each. Both are thrown before anything is sent.
/// </para>
/// </remarks>
public sealed class RouterChatClient : FailoverChatClient
{
    /// <summary>The <c>AdditionalProperties</c> key naming the candidate that served the response.</summary>
    public const string CandidateKey = "compatai.route.candidate";

    /// <summary>The <c>AdditionalProperties</c> key naming the strategy (a <see cref="RoutingStrategy"/> name, lower case).</summary>
    public const string StrategyKey = "compatai.route.strategy";

    /// <summary>The <c>AdditionalProperties</c> key holding the serving candidate's score (a <see cref="double"/>; see <see cref="RankedCandidate.Score"/>).</summary>
    public const string ScoreKey = "compatai.route.score";

    /// <summary>The <c>AdditionalProperties</c> key holding the serving candidate's rank (an <see cref="int"/>, 1 for the first choice).</summary>
    public const string RankKey = "compatai.route.rank";

    private readonly RouterRoute[] _routes;
    private readonly RouterOptions _options;
    private readonly string _strategyName;
    private readonly ConditionalWeakTable<RoutingContext, RouterRequest> _requests = [];
    private readonly ConditionalWeakTable<RoutingContext, RouterRequest>.CreateValueCallback _plan;

    /// <summary>Up to this many candidates, a decision's working state is on the stack; beyond, in pooled arrays.</summary>
    private const int StackCandidates = 64;
    private int _roundRobin = -1;
    private int _disposed;

    /// <summary>Creates the router.</summary>
    /// <param name="candidates">The candidates; at least one, with distinct names.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">No candidate is given, or two share a name.</exception>
    public RouterChatClient(IEnumerable<RouteCandidate> candidates, RouterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        _options = options ?? new RouterOptions();
        _options.Validate();
        var list = candidates.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A router needs at least one candidate.", nameof(candidates));
        }

        _routes = new RouterRoute[list.Count];
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < list.Count; i++)
        {
            var candidate = list[i] ?? throw new ArgumentException($"Candidate {i} is null.", nameof(candidates));
            if (candidate.Weight < 0 || !double.IsFinite(candidate.Weight) || candidate.Quality < 0 || !double.IsFinite(candidate.Quality))
            {
                throw new ArgumentException($"Candidate {i} has a negative or non-finite weight or quality.", nameof(candidates));
            }

            var probe = new RouterRoute(candidate, i, candidate.Name ?? $"candidate{i}", _options);
            string name = candidate.Name ?? probe.Provider ?? $"candidate{i}";
            if (candidate.Name is null && names.Contains(name) && probe.Model is not null)
            {
                name = $"{name}/{probe.Model}";
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"Two candidates are named '{name}'; give them distinct names.", nameof(candidates));
            }

            _routes[i] = name == probe.Name ? probe : new RouterRoute(candidate, i, name, _options);
        }

        _strategyName = _options.Strategy.ToString().ToLowerInvariant();
        _plan = context =>
        {
            var needs = RouteNeeds.Read(context.Messages, context.ChatOptions, _options);
            return new RouterRequest(Plan(ref needs, explain: false));
        };
    }

    /// <summary>Gets the candidates, in the order they were given.</summary>
    public IReadOnlyList<RouteCandidate> Candidates => [.. _routes.Select(static r => r.Candidate)];

    /// <summary>Returns how a request would be routed now, without sending it.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options.</param>
    /// <returns>The ranking and the candidates left out.</returns>
    /// <exception cref="ModelNotServedException">The request names a model no candidate serves.</exception>
    /// <exception cref="NoEligibleRouteException">No candidate can serve the request.</exception>
    public RouteDecision Decide(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var needs = RouteNeeds.Read(messages, options, _options);
        var plan = Plan(ref needs, explain: true);
        var ranked = new RankedCandidate[plan.Ranked.Length];
        for (int i = 0; i < ranked.Length; i++)
        {
            var r = plan.Ranked[i].Route;
            ranked[i] = new RankedCandidate(r.Name, r.Provider, r.Model, i + 1, plan.Ranked[i].Score, r.Unavailable);
        }

        // The decision shows the prompt's count whether or not ranking needed it, counted now as before.
        needs.PromptTokens();
        return new RouteDecision(_options.Strategy, needs.ToRequirements(), ranked, plan.Excluded);
    }

    /// <summary>Returns what is known of each candidate's health: breaker state, cooldown, recent error rate and latency.</summary>
    /// <returns>One snapshot per candidate, in the order they were given.</returns>
    public IReadOnlyList<ProviderHealth> GetHealth()
    {
        var now = _options.Failover.TimeProvider.GetUtcNow();
        return [.. _routes.Select(r => r.Health(now))];
    }

    /// <summary>Records the outcome of an active probe of a candidate (see <see cref="ProviderProber"/>): while its last probe failed, the candidate is ranked last.</summary>
    /// <param name="candidate">The candidate's name.</param>
    /// <param name="succeeded">Whether the probe succeeded.</param>
    /// <param name="error">The error of a failed probe (no secrets).</param>
    /// <exception cref="ArgumentException">No candidate has that name.</exception>
    public void RecordProbe(string candidate, bool succeeded, string? error = null)
    {
        var route = Array.Find(_routes, r => string.Equals(r.Name, candidate, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"The router has no candidate '{candidate}' (candidates: {string.Join(", ", _routes.Select(static r => r.Name))}).", nameof(candidate));
        route.RecordProbe(_options.Failover.TimeProvider.GetUtcNow(), succeeded, error);
    }

    /// <summary>Plans the request on first call (rank the candidates), then hands MEAI's base the next candidate in rank that is not cooling down.</summary>
    /// <param name="context">The request.</param>
    /// <param name="cancellationToken">The request's cancellation token.</param>
    /// <returns>The attempt to invoke.</returns>
    /// <exception cref="ProviderException">Every candidate failed or was skipped; <see cref="ProviderException.Attempts"/> lists each.</exception>
    protected override ValueTask<IChatClient> SelectClientAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = _requests.GetValue(context, _plan);
        var state = request.State;
        while (state.Next < request.Plan.Ranked.Length)
        {
            int rank = state.Next++;
            var route = request.Plan.Ranked[rank].Route;
            // Synchronous unless a probe lease must be asked for: the slow path awaits it once, the fast path reads its result once.
#pragma warning disable CA2012
            var admission = route.Failover.AdmitAsync(cancellationToken);
#pragma warning restore CA2012
            if (!admission.IsCompletedSuccessfully)
            {
                return SelectAfterProbeLeaseAsync(admission, rank, request, context, cancellationToken);
            }

            if (admission.Result.Skipped is { } skipped)
            {
                state.Failures.Add(skipped);
                continue;
            }

            return new ValueTask<IChatClient>(Attempt(request, rank, admission.Result.IsProbe));
        }

        _requests.Remove(context);
        throw FailoverClassifier.AllFailed(state.Failures, "router", "Every candidate of the router failed");
    }

    /// <summary>Observes the attempt (latency, health) and applies <see cref="FallbackChatClient"/>'s failover rules to it.</summary>
    /// <param name="context">The request.</param>
    /// <param name="attempt">The attempt MEAI's base made.</param>
    /// <param name="isTerminal">Whether the base stops after this update.</param>
    /// <param name="cancellationToken">The request's cancellation token.</param>
    /// <returns>A completed task, or the failure that ends the request.</returns>
    protected override ValueTask OnRoutingUpdateAsync(RoutingContext context, FailoverChatClientAttempt attempt, bool isTerminal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(attempt);
        if (!_requests.TryGetValue(context, out var request) || attempt.Client is not FallbackAttemptChatClient selected)
        {
            return default;
        }

        var route = RouteOf(selected.Route);
        var error = attempt.Exception;
        long now = _options.Failover.TimeProvider.GetUtcNow().UtcTicks;
        if (error is null)
        {
            if (attempt.ResponseCompleted || attempt.TimeToFirstUpdate is not null)
            {
                route.Observe(now, attempt.TimeToFirstUpdate ?? attempt.Duration, failed: false);
            }
        }
        else if (error is not BrokenCircuitException && !cancellationToken.IsCancellationRequested)
        {
            route.Observe(now, latency: null, failed: FailoverClassifier.CountsAgainstHealth(error));
        }

        var failures = request.State.Failures;
        if (isTerminal)
        {
            _requests.Remove(context);
            if (error is not null && !attempt.OutputCommitted && !cancellationToken.IsCancellationRequested && FailoverClassifier.Record(error, selected.Route, failures, _options.Failover))
            {
                throw FailoverClassifier.AllFailed(failures, "router", "Every candidate of the router failed");
            }

            return default;
        }

        if (!FailoverClassifier.Record(error!, selected.Route, failures, _options.Failover))
        {
            _requests.Remove(context);
            ExceptionDispatchInfo.Throw(error!);
        }

        return default;
    }

    /// <summary>Finishes a selection that had to ask the shared store for a probe lease.</summary>
    private async ValueTask<IChatClient> SelectAfterProbeLeaseAsync(ValueTask<RouteAdmission> pending, int rank, RouterRequest request, RoutingContext context, CancellationToken cancellationToken)
    {
        var admission = await pending.ConfigureAwait(false);
        if (admission.Skipped is { } skipped)
        {
            request.State.Failures.Add(skipped);
            return await SelectClientAsync(context, cancellationToken).ConfigureAwait(false);
        }

        return Attempt(request, rank, admission.IsProbe);
    }

    /// <summary>Returns the attempt on the candidate at <paramref name="rank"/>, tagged with the routing decision.</summary>
    private FallbackAttemptChatClient Attempt(RouterRequest request, int rank, bool probe)
    {
        var route = request.Plan.Ranked[rank].Route;
        KeyValuePair<string, object?>[] tags =
        [
            new(FallbackChatClient.ProviderKey, route.Provider ?? route.Name),
            new(CandidateKey, route.Name),
            new(StrategyKey, _strategyName),
            new(ScoreKey, request.Plan.Ranked[rank].Score),
            new(RankKey, rank + 1),
        ];
        return new FallbackAttemptChatClient(route.Failover, request.State, _options.Failover, tags, probe);
    }

    /// <summary>Disposes every candidate's client.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="RoutingChatClient.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (var route in _routes)
            {
                route.Candidate.Client.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Returns the route of <paramref name="failover"/> (a loop, not a closure: called on every attempt's update).</summary>
    private RouterRoute RouteOf(FallbackRoute failover)
    {
        foreach (var route in _routes)
        {
            if (ReferenceEquals(route.Failover, failover))
            {
                return route;
            }
        }

        throw new InvalidOperationException($"The attempt's route '{failover.Name}' is not one of this router's candidates.");
    }

    /// <summary>
    /// Ranks the candidates for <paramref name="needs"/>: filter by capability, score by the strategy, unavailable
    /// (open circuit, failing probe) last, ties by given order. The working state (eligible candidates, scores, sort keys,
    /// order, availability) lives on the stack, or in pooled arrays beyond <see cref="StackCandidates"/> candidates: the
    /// only allocation is the ranking returned, and the excluded list when <paramref name="explain"/> is set or nothing
    /// is eligible (the reasons are formatted only then).
    /// </summary>
    internal RoutePlan Plan(ref RouteNeeds needs, bool explain)
    {
        int n = _routes.Length;
        int[]? pooledInts = null;
        double[]? pooledDoubles = null;
        Span<int> ints = n <= StackCandidates ? stackalloc int[4 * n] : (pooledInts = ArrayPool<int>.Shared.Rent(4 * n));
        Span<double> doubles = n <= StackCandidates ? stackalloc double[3 * n] : (pooledDoubles = ArrayPool<double>.Shared.Rent(3 * n));
        try
        {
            // lacks[i] is route i's Lack; eligible[k] the index of the k-th eligible route.
            var lacks = ints.Slice(0, n);
            var eligible = ints.Slice(n, n);
            int count = 0;
            bool modelServed = needs.Model is null;
            for (int i = 0; i < n; i++)
            {
                var route = _routes[i];
                modelServed |= needs.Model is not null && string.Equals(route.Model, needs.Model, StringComparison.OrdinalIgnoreCase);
                var lack = route.Lacks(ref needs);
                lacks[i] = (int)lack;
                if (lack == RouterRoute.Lack.None)
                {
                    eligible[count++] = i;
                }
            }

            if (!modelServed)
            {
                throw new ModelNotServedException(needs.Model!, ModelNotServedException.Closest(needs.Model!, _routes.Select(static r => r.Model).OfType<string>()));
            }

            if (count == 0)
            {
                throw new NoEligibleRouteException(Excluded(lacks, ref needs)!);
            }

            eligible = eligible.Slice(0, count);
            var scores = doubles.Slice(0, count);
            var keys = doubles.Slice(n, count);
            Score(eligible, ref needs, scores, keys, doubles.Slice(2 * n, count));

            // Availability once per candidate (it reads the breaker and the shared circuit), not once per comparison.
            var unavailable = ints.Slice(2 * n, count);
            for (int i = 0; i < count; i++)
            {
                unavailable[i] = _routes[eligible[i]].Unavailable ? 1 : 0;
            }

            // Insertion sort on (unavailable last, key descending, given order): stable, n is small.
            var order = ints.Slice(3 * n, count);
            for (int i = 0; i < count; i++)
            {
                int j = i;
                while (j > 0 && Before(i, order[j - 1], unavailable, keys, eligible))
                {
                    order[j] = order[j - 1];
                    j--;
                }

                order[j] = i;
            }

            var ranked = new RankedRoute[count];
            for (int i = 0; i < count; i++)
            {
                ranked[i] = new RankedRoute(_routes[eligible[order[i]]], scores[order[i]]);
            }

            return new RoutePlan(ranked, explain && Excluded(lacks, ref needs) is { } excluded ? excluded : Array.Empty<ExcludedCandidate>());
        }
        finally
        {
            if (pooledInts is not null)
            {
                ArrayPool<int>.Shared.Return(pooledInts);
            }

            if (pooledDoubles is not null)
            {
                ArrayPool<double>.Shared.Return(pooledDoubles);
            }
        }

        static bool Before(int a, int b, ReadOnlySpan<int> unavailable, ReadOnlySpan<double> keys, ReadOnlySpan<int> eligible)
        {
            if (unavailable[a] != unavailable[b])
            {
                return unavailable[a] == 0;
            }

            return keys[a] > keys[b] || (keys[a] == keys[b] && eligible[a] < eligible[b]);
        }
    }

    /// <summary>Returns the candidates left out with their reasons, in the order given, or <see langword="null"/> for none.</summary>
    private List<ExcludedCandidate>? Excluded(ReadOnlySpan<int> lacks, ref RouteNeeds needs)
    {
        List<ExcludedCandidate>? excluded = null;
        for (int i = 0; i < lacks.Length; i++)
        {
            if ((RouterRoute.Lack)lacks[i] is not RouterRoute.Lack.None and var lack)
            {
                (excluded ??= []).Add(new ExcludedCandidate(_routes[i].Name, _routes[i].Reason(lack, ref needs)));
            }
        }

        return excluded;
    }

    /// <summary>Scores the eligible routes (indices into the routes) into <paramref name="scores"/>, and their sort keys (higher first) into <paramref name="keys"/>.</summary>
    private void Score(ReadOnlySpan<int> eligible, ref RouteNeeds needs, Span<double> scores, Span<double> keys, Span<double> scratch)
    {
        int count = eligible.Length;
        switch (_options.Strategy)
        {
            case RoutingStrategy.Cost:
                for (int i = 0; i < count; i++)
                {
                    scores[i] = _routes[eligible[i]].EstimateCost(ref needs) is { } cost ? (double)cost : double.PositiveInfinity;
                    keys[i] = -scores[i];
                }

                break;

            case RoutingStrategy.Latency:
            {
                long now = _options.Failover.TimeProvider.GetUtcNow().UtcTicks;
                for (int i = 0; i < count; i++)
                {
                    double? latency = _routes[eligible[i]].LatencyMs(now, _options.ExplorationInterval);
                    scores[i] = latency ?? 0;
                    keys[i] = latency is { } l ? -l : double.PositiveInfinity;
                }

                break;
            }

            case RoutingStrategy.Quality:
                for (int i = 0; i < count; i++)
                {
                    scores[i] = keys[i] = _routes[eligible[i]].Candidate.Quality;
                }

                break;

            case RoutingStrategy.Balanced:
                // keys and scratch hold the costs and latencies until the scores are known.
                ScoreBalanced(eligible, ref needs, scores, costs: keys, latencies: scratch);
                scores.CopyTo(keys);
                break;

            case RoutingStrategy.WeightedRandom:
            {
                double total = 0;
                for (int i = 0; i < count; i++)
                {
                    total += _routes[eligible[i]].Candidate.Weight;
                }

                double draw = _options.Random.NextDouble() * total;
                int picked = -1;
                for (int i = 0; i < count; i++)
                {
                    double weight = _routes[eligible[i]].Candidate.Weight;
                    scores[i] = keys[i] = weight;
                    draw -= weight;
                    if (picked < 0 && draw < 0)
                    {
                        picked = i;
                    }
                }

                if (picked >= 0)
                {
                    keys[picked] = double.PositiveInfinity;
                }

                break;
            }

            case RoutingStrategy.RoundRobin:
            {
                int start = (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)count);
                for (int i = 0; i < count; i++)
                {
                    int position = (i - start + count) % count;
                    scores[i] = position;
                    keys[i] = -position;
                }

                break;
            }

            case RoutingStrategy.Custom:
            {
                // The delegate's view of the request; its PromptTokens is counted only if the delegate reads it.
                var requirements = needs.ToRequirements();
                for (int i = 0; i < count; i++)
                {
                    scores[i] = keys[i] = _options.CustomScore!(_routes[eligible[i]].Candidate, requirements);
                }

                break;
            }
        }
    }

    private void ScoreBalanced(ReadOnlySpan<int> eligible, ref RouteNeeds needs, Span<double> scores, Span<double> costs, Span<double> latencies)
    {
        int count = eligible.Length;
        long now = _options.Failover.TimeProvider.GetUtcNow().UtcTicks;
        double minCost = double.PositiveInfinity, minLatency = double.PositiveInfinity, maxQuality = 0;
        for (int i = 0; i < count; i++)
        {
            var route = _routes[eligible[i]];
            costs[i] = route.EstimateCost(ref needs) is { } c ? (double)c : double.NaN;
            latencies[i] = route.LatencyMs(now, _options.ExplorationInterval) ?? double.NaN;
            if (costs[i] < minCost)
            {
                minCost = costs[i];
            }

            if (latencies[i] < minLatency)
            {
                minLatency = latencies[i];
            }

            maxQuality = Math.Max(maxQuality, route.Candidate.Quality);
        }

        var w = _options.BalancedWeights;
        double total = w.Cost + w.Latency + w.Quality;
        for (int i = 0; i < count; i++)
        {
            // Unpriced counts as the most expensive; unmeasured latency as the fastest (so it gets explored).
            double cost = double.IsNaN(costs[i]) ? 0 : costs[i] <= 0 ? 1 : minCost / costs[i];
            double latency = double.IsNaN(latencies[i]) ? 1 : latencies[i] <= 0 ? 1 : minLatency / latencies[i];
            double quality = maxQuality > 0 ? _routes[eligible[i]].Candidate.Quality / maxQuality : 0;
            scores[i] = ((w.Cost * cost) + (w.Latency * latency) + (w.Quality * quality)) / total;
        }
    }

    /// <summary>One candidate of a ranking and its score.</summary>
    internal readonly record struct RankedRoute(RouterRoute Route, double Score);

    /// <summary>
    /// The ranking of one request, the only thing a decision allocates (one array); <see cref="Excluded"/> is filled only
    /// when the decision was asked to explain itself (<see cref="Decide"/>).
    /// </summary>
    internal readonly record struct RoutePlan(RankedRoute[] Ranked, IReadOnlyList<ExcludedCandidate> Excluded);

    /// <summary>The state of one routed request: its plan and the failover state shared with the attempts.</summary>
    private sealed class RouterRequest(RoutePlan plan)
    {
        public RoutePlan Plan { get; } = plan;

        public FallbackRequest State { get; } = new();
    }
}
