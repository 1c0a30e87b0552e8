using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Providers;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Routing;

/// <summary>
/// <c>CompatAI:Routing</c> served as the model <c>router</c>: the library's <see cref="RouterChatClient"/> over the listed
/// providers' clients (the same pipelines, upstream <see cref="HttpClient"/> and keys as the providers' own prefixes), with
/// the options <c>AddCompatRouterChatClient()</c> reads from the same section. Each candidate is named after its provider's
/// gateway prefix unless it sets <c>Name</c>. When a candidate passes the client's credential through, there is one router
/// (and one set of breakers and latency averages) per credential, bounded, as for <c>fallback</c>.
/// </summary>
internal sealed class ConfiguredRouterAdapter : IGatewayAdapter
{
    /// <summary>The model name the router is served as.</summary>
    public const string ModelName = "router";

    private readonly IReadOnlyList<Member> _members;
    private readonly RouterOptions _options;
    private readonly bool _perCredential;
    private readonly int _maxRouters;
    private readonly ConcurrentDictionary<string, RouterChatClient> _routers = new(StringComparer.Ordinal);
    private RouterChatClient _last;

    /// <summary>Creates the router and builds it once, so that bad <c>CompatAI:Routing</c> settings fail at startup.</summary>
    /// <param name="members">The candidates, in configured order.</param>
    /// <param name="options">The router's options, from <c>CompatAI:Routing</c>.</param>
    /// <param name="maxRouters">The largest number of per-credential routers kept.</param>
    /// <param name="startupCredential">The placeholder credential the startup check builds pass-through candidates with; never sent anywhere.</param>
    public ConfiguredRouterAdapter(IReadOnlyList<Member> members, RouterOptions options, int maxRouters, string startupCredential)
    {
        _members = members;
        _options = options;
        _perCredential = members.Any(m => m.Provider.PassesCredentialThrough);
        _maxRouters = Math.Max(1, maxRouters);
        try
        {
            _last = RouterFor(startupCredential);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"{CompatRoutingConfiguration.SectionName} is not usable: {ex.Message}", ex);
        }
    }

    /// <summary>Gets the candidates, in configured order.</summary>
    public IReadOnlyList<Member> Members => _members;

    /// <summary>Gets the router's options.</summary>
    public RouterOptions Options => _options;

    /// <summary>Gets the router that served last (the one whose health and latency <c>/v1/routing</c> shows).</summary>
    public RouterChatClient Current => Volatile.Read(ref _last);

    public Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public async Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken)
    {
        var router = RouterFor(request.Context.Credential);
        var response = await router.GetResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false);
        Describe(request.Context, response.AdditionalProperties);
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = true;
        var router = RouterFor(request.Context.Credential);
        await foreach (var update in router.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false))
        {
            if (first)
            {
                // The router tags every update with the candidate that serves the stream and why.
                Describe(request.Context, update.AdditionalProperties);
                first = false;
            }

            yield return update;
        }
    }

    /// <summary>Returns the gateway prefix of the candidate named <paramref name="candidate"/>, or <see langword="null"/>.</summary>
    public string? PrefixOf(string? candidate) =>
        _members.FirstOrDefault(m => string.Equals(m.CandidateName, candidate, StringComparison.OrdinalIgnoreCase))?.Prefix;

    /// <summary>
    /// The value of the <c>x-compat-route</c> response header: the router's <c>compatai.route.*</c> and
    /// <c>compatai.fallback.attempts</c> tags as <c>strategy=cost; candidate=beta; rank=1; score=0.000012; attempts=1</c>.
    /// A score that is not finite (an unpriced candidate under <c>cost</c>) is left out.
    /// </summary>
    internal static string? RouteHeaderValue(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || !properties.TryGetValue(RouterChatClient.StrategyKey, out var strategy) || strategy is null)
        {
            return null;
        }

        var parts = new List<string>(5) { "strategy=" + strategy };
        if (properties.TryGetValue(RouterChatClient.CandidateKey, out var candidate) && candidate is not null)
        {
            parts.Add("candidate=" + candidate);
        }

        if (properties.TryGetValue(RouterChatClient.RankKey, out var rank) && rank is int r)
        {
            parts.Add("rank=" + r.ToString(CultureInfo.InvariantCulture));
        }

        if (properties.TryGetValue(RouterChatClient.ScoreKey, out var score) && score is double s && double.IsFinite(s))
        {
            parts.Add("score=" + s.ToString("G6", CultureInfo.InvariantCulture));
        }

        if (properties.TryGetValue(FallbackChatClient.AttemptsKey, out var attempts) && attempts is int a)
        {
            parts.Add("attempts=" + a.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join("; ", parts);
    }

    private void Describe(GatewayRequestContext context, AdditionalPropertiesDictionary? properties)
    {
        var candidate = properties?.TryGetValue(RouterChatClient.CandidateKey, out var c) == true ? c?.ToString() : null;
        context.ServedBy = PrefixOf(candidate) ?? candidate;
        context.RouteReason = RouteHeaderValue(properties);
    }

    private RouterChatClient RouterFor(string? credential)
    {
        var key = _perCredential ? credential ?? string.Empty : string.Empty;
        if (!_routers.TryGetValue(key, out var router))
        {
            if (_routers.Count >= _maxRouters)
            {
                // Not disposed: a RouterChatClient disposes its candidates, which belong to the provider adapters.
                _routers.Clear();
            }

            router = _routers.GetOrAdd(key, k => new RouterChatClient(_members.Select(m => m.CandidateFor(k.Length == 0 ? null : k)), _options));
        }

        Volatile.Write(ref _last, router);
        return router;
    }

    /// <summary>One candidate: a provider configured under <c>CompatAI:Providers</c> and its routing settings.</summary>
    /// <param name="Prefix">The provider's gateway prefix (its <c>CompatAI:Providers</c> name).</param>
    /// <param name="CandidateName">The candidate's name in the router's tags and telemetry (its <c>Name</c>, or the prefix).</param>
    /// <param name="Provider">The provider's adapter, whose clients the router calls.</param>
    /// <param name="Quality">The quality score.</param>
    /// <param name="Weight">The weight for weighted random routing.</param>
    internal sealed record Member(string Prefix, string CandidateName, ConfiguredProviderAdapter Provider, double Quality, double Weight)
    {
        /// <summary>Gets the model the provider's pipeline calls (its configured <c>Model</c>), if any.</summary>
        public string? Model => Provider.ConfiguredModels.Count > 0 ? Provider.ConfiguredModels[0] : null;

        public RouteCandidate CandidateFor(string? credential) => new(Provider.ClientFor(credential))
        {
            Name = CandidateName,
            Provider = Provider.ProfileName,
            Quality = Quality,
            Weight = Weight,
        };
    }
}
