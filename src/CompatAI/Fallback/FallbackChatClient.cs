using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// An ordered chain of chat clients built on Microsoft.Extensions.AI's <see cref="FailoverChatClient"/>: each request goes
/// to the first healthy client, and moves on to the next when a client fails for a reason another provider may not share
/// (rate limits, quota or credit exhaustion, 5xx, timeouts, connection and authentication failures). Invalid requests,
/// content filtering and caller cancellation surface at once. A rate-limited client is skipped for its
/// <see cref="ProviderException.RetryAfter"/>; a Polly circuit breaker per client skips one that keeps failing and probes
/// it again after a break. A stream falls over only before its first update; later failures surface as
/// <see cref="ProviderErrorKind.StreamInterrupted"/>.
/// </summary>
/// <remarks>
/// <para>
/// MEAI's base owns invocation, the rule that a stream never fails over once output was exposed, caller cancellation
/// and <see cref="FailoverChatClient.MaximumAttemptsPerRequest"/>. This class adds the selection
/// (<c>SelectClientAsync</c>: the next client in order that is not cooling down, here or, through
/// <see cref="FallbackOptions.StateStore"/>, in another process) and the policy
/// (<c>OnRoutingUpdateAsync</c>: which failures move on, by <see cref="ProviderException.Kind"/>, and the cooldowns).
/// </para>
/// <para>
/// The response's (and each update's) <c>AdditionalProperties</c> carry <see cref="ProviderKey"/>, <see cref="ModelKey"/>
/// and <see cref="AttemptsKey"/>; the same values are set as tags on the current <see cref="Activity"/>, and every attempt
/// is counted on the <c>compatai.fallback.attempts</c> counter of the <c>CompatAI</c> meter. When every client
/// fails, the <see cref="ProviderException"/> thrown has each attempt's error in <see cref="ProviderException.Attempts"/>.
/// </para>
/// </remarks>
public sealed class FallbackChatClient : FailoverChatClient
{
    /// <summary>The <c>AdditionalProperties</c> key naming the provider that served the response.</summary>
    public const string ProviderKey = "compatai.provider";

    /// <summary>The <c>AdditionalProperties</c> key naming the model of the client that served the response.</summary>
    public const string ModelKey = "compatai.model";

    /// <summary>The <c>AdditionalProperties</c> key holding how many clients were tried (an <see cref="int"/>).</summary>
    public const string AttemptsKey = "compatai.attempts";

    private readonly FallbackRoute[] _routes;
    private readonly FallbackOptions _options;
    private readonly ConditionalWeakTable<RoutingContext, FallbackRequest> _requests = [];
    private int _disposed;

    /// <summary>Creates the chain.</summary>
    /// <param name="clients">The clients, in order of preference; at least one.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">No client is given, or one is <see langword="null"/>.</exception>
    public FallbackChatClient(IEnumerable<IChatClient> clients, FallbackOptions? options = null)
        : this([.. (clients ?? throw new ArgumentNullException(nameof(clients))).Select(static c => ((string?)null, c))], options)
    {
    }

    private FallbackChatClient(List<(string? Name, IChatClient? Client)> clients, FallbackOptions? options)
    {
        _options = options ?? new FallbackOptions();
        _options.Validate();
        if (clients.Count == 0)
        {
            throw new ArgumentException("A fallback chain needs at least one client.", nameof(clients));
        }

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        _routes = new FallbackRoute[clients.Count];
        for (int i = 0; i < clients.Count; i++)
        {
            var (name, client) = clients[i];
            if (name is not null && !names.TryAdd(name, i))
            {
                throw new ArgumentException($"Fallback clients {names[name]} and {i} are both named '{name}'; each client of a chain needs its own name.", nameof(clients));
            }

            if (client is null)
            {
                throw new ArgumentException(name is null ? $"Fallback client {i} is null." : $"Fallback client {i} ('{name}') is null.", nameof(clients));
            }

            _routes[i] = new FallbackRoute(client, i, _options, keyName: name);
        }
    }

    /// <summary>
    /// Creates the chain from clients with names: a client's name, not its catalog provider's, keys its route in
    /// <see cref="FallbackOptions.StateStore"/> (<c>name/model</c>), so that two clients of the same catalog profile
    /// and model (two accounts or deployments of one provider) keep separate cooldowns and circuits. Give every process
    /// that shares the store the same names (configured provider names, as <c>AddCompatChatClient()</c> does).
    /// </summary>
    /// <param name="clients">The clients by name, in order of preference; at least one.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The chain.</returns>
    /// <exception cref="ArgumentException">No client is given, one is <see langword="null"/>, or a name is empty or given twice.</exception>
    public static FallbackChatClient Create(IEnumerable<KeyValuePair<string, IChatClient>> clients, FallbackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var list = new List<(string? Name, IChatClient? Client)>();
        foreach (var (name, client) in clients)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"Fallback client {list.Count} has no name.", nameof(clients));
            }

            list.Add((name, client));
        }

        return new FallbackChatClient(list, options);
    }

    /// <summary>Gets the clients of the chain, in order.</summary>
    public IReadOnlyList<IChatClient> Clients => [.. _routes.Select(static r => r.Client)];

    /// <summary>
    /// Returns this chain for its own types (<see cref="FallbackChatClient"/>, <see cref="FailoverChatClient"/>,
    /// <see cref="RoutingChatClient"/>, <see cref="IChatClient"/>); anything else (such as <see cref="ChatClientMetadata"/>)
    /// comes from the first client of the chain.
    /// </summary>
    /// <param name="serviceType">The type of service requested.</param>
    /// <param name="serviceKey">An optional key for the service.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        base.GetService(serviceType, serviceKey) ?? _routes[0].Client.GetService(serviceType, serviceKey);

    /// <summary>Hands MEAI's base the next client in order that is not cooling down; when none is left, throws the aggregated failure.</summary>
    /// <param name="context">The request.</param>
    /// <param name="cancellationToken">The request's cancellation token.</param>
    /// <returns>The attempt to invoke: the route's client wrapped in its circuit breaker, timeout and tagging.</returns>
    /// <exception cref="ProviderException">Every client failed or was skipped; <see cref="ProviderException.Attempts"/> lists each.</exception>
    protected override ValueTask<IChatClient> SelectClientAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = _requests.GetValue(context, static _ => new FallbackRequest());
        while (request.Next < _routes.Length)
        {
            var route = _routes[request.Next++];
            // Synchronous unless a probe lease must be asked for: the slow path awaits it once, the fast path reads its result once.
#pragma warning disable CA2012
            var admission = route.AdmitAsync(cancellationToken);
#pragma warning restore CA2012
            if (!admission.IsCompletedSuccessfully)
            {
                return SelectAfterProbeLeaseAsync(admission, route, request, context, cancellationToken);
            }

            if (admission.Result.Skipped is { } skipped)
            {
                request.Failures.Add(skipped);
                continue;
            }

            return new ValueTask<IChatClient>(new FallbackAttemptChatClient(route, request, _options, probe: admission.Result.IsProbe));
        }

        _requests.Remove(context);
        throw FailoverClassifier.AllFailed(request.Failures, "fallback", "Every client of the fallback chain failed");
    }

    /// <summary>
    /// Applies CompatAI's failover rules to a finished attempt: a failure that another provider may not share is recorded
    /// (and a rate limit starts the client's cooldown) so the base selects again; any other failure is rethrown here, which
    /// stops MEAI's routing at once.
    /// </summary>
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

        var error = attempt.Exception;
        if (isTerminal)
        {
            _requests.Remove(context);

            // Only MaximumAttemptsPerRequest ends a request on an uncanceled failure before output: report every attempt.
            if (error is not null && !attempt.OutputCommitted && !cancellationToken.IsCancellationRequested && FailoverClassifier.Record(error, selected.Route, request.Failures, _options))
            {
                throw FailoverClassifier.AllFailed(request.Failures, "fallback", "Every client of the fallback chain failed");
            }

            return default;
        }

        if (!FailoverClassifier.Record(error!, selected.Route, request.Failures, _options))
        {
            _requests.Remove(context);
            ExceptionDispatchInfo.Throw(error!);
        }

        return default;
    }

    /// <summary>Finishes a selection that had to ask the shared store for a probe lease.</summary>
    private async ValueTask<IChatClient> SelectAfterProbeLeaseAsync(ValueTask<RouteAdmission> pending, FallbackRoute route, FallbackRequest request, RoutingContext context, CancellationToken cancellationToken)
    {
        var admission = await pending.ConfigureAwait(false);
        if (admission.Skipped is { } skipped)
        {
            request.Failures.Add(skipped);
            return await SelectClientAsync(context, cancellationToken).ConfigureAwait(false);
        }

        return new FallbackAttemptChatClient(route, request, _options, probe: admission.IsProbe);
    }

    /// <summary>Disposes every client of the chain.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="RoutingChatClient.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (var route in _routes)
            {
                route.Client.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
