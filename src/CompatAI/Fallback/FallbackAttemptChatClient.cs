using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// One attempt of a <see cref="FallbackChatClient"/> request on one route: what <c>SelectClientAsync</c> hands to MEAI's
/// <see cref="FailoverChatClient"/>. It runs the call inside the route's circuit breaker and the attempt timeout, turns
/// timeouts and connection failures into <see cref="ProviderException"/>s, treats a stream without any update as a
/// failure (so the base fails over), turns a failure after output into <see cref="ProviderErrorKind.StreamInterrupted"/>,
/// and tags what it returns with the provider, model and attempt count.
/// </summary>
/// <remarks>
/// MEAI's <see cref="FailoverChatClient"/> seals <c>GetResponseAsync</c>/<c>GetStreamingResponseAsync</c> and never
/// shows the response to <c>OnRoutingUpdateAsync</c>, so everything that must see or shape the response lives here.
/// The attempt borrows its route's client; the chain owns and disposes it.
/// </remarks>
internal sealed class FallbackAttemptChatClient : DelegatingChatClient
{
    private readonly FallbackRoute _route;
    private readonly FallbackRequest _request;
    private readonly FallbackOptions _options;
    private readonly KeyValuePair<string, object?>[]? _extraTags;
    private readonly bool _probe;

    /// <param name="route">The route to call.</param>
    /// <param name="request">The request's state.</param>
    /// <param name="options">The failover options.</param>
    /// <param name="extraTags">More tags for the response and activity (a router's decision), or <see langword="null"/>.</param>
    /// <param name="probe">Whether this call is the one probe of a half-open shared circuit (its outcome is reported to the store).</param>
    public FallbackAttemptChatClient(FallbackRoute route, FallbackRequest request, FallbackOptions options, KeyValuePair<string, object?>[]? extraTags = null, bool probe = false)
        : base(route.Client)
    {
        _route = route;
        _request = request;
        _options = options;
        _extraTags = extraTags;
        _probe = probe;
    }

    /// <summary>Gets the route this attempt runs on.</summary>
    public FallbackRoute Route => _route;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await RunAsync(
            static async (s, ct) => await s.Inner.GetResponseAsync(s.Messages, s.Options, ct).ConfigureAwait(false),
            (Inner: InnerClient, Messages: messages, Options: options),
            cancellationToken).ConfigureAwait(false);
        response.AdditionalProperties = Tag(response.AdditionalProperties, countSuccess: true);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The stream's own token: the attempt timeout may cancel it until the first update, the caller always.
        using var streamCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var (enumerator, first) = await RunAsync(
            static async (s, attemptToken) =>
            {
                using var registration = attemptToken.Register(static c => ((CancellationTokenSource)c!).Cancel(), s.StreamCts);
                var e = s.Inner.GetStreamingResponseAsync(s.Messages, s.Options, s.StreamCts.Token).GetAsyncEnumerator(s.StreamCts.Token);
                try
                {
                    if (!await e.MoveNextAsync().ConfigureAwait(false))
                    {
                        throw new ProviderException(s.Name, ProviderErrorKind.StreamInterrupted, $"The stream from '{s.Name}' ended before any update.");
                    }

                    return (e, e.Current);
                }
                catch
                {
                    await e.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            },
            (Inner: InnerClient, Messages: messages, Options: options, StreamCts: streamCts, _route.Name),
            cancellationToken).ConfigureAwait(false);

        // From here on the caller has output from this client: MEAI's base no longer fails over.
        try
        {
            bool finished = false;
            var update = first;
            while (true)
            {
                finished |= update.FinishReason is not null;
                update.AdditionalProperties = Tag(update.AdditionalProperties, countSuccess: ReferenceEquals(update, first));
                yield return update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not ProviderException { Kind: ProviderErrorKind.StreamInterrupted })
                {
                    throw await InterruptedAsync($"The stream from '{_route.Name}' broke off after output had started: {ex.Message}", ex).ConfigureAwait(false);
                }
            }

            if (!finished && _options.RequireFinishReason)
            {
                throw await InterruptedAsync($"The stream from '{_route.Name}' ended without a finish reason; the response may be truncated.", null).ConfigureAwait(false);
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>An attempt borrows its route's client, so disposing it disposes nothing.</summary>
    /// <param name="disposing">Unused.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2215:Dispose methods should call base class dispose", Justification = "base.Dispose would dispose the route's client, which the chain owns and keeps using.")]
    protected override void Dispose(bool disposing)
    {
        // The chain owns the client (FallbackChatClient.Dispose); MEAI never disposes selected clients anyway.
    }

    /// <summary>Runs <paramref name="call"/> once inside the route's circuit breaker and the attempt timeout.</summary>
    private async ValueTask<T> RunAsync<TState, T>(Func<TState, CancellationToken, ValueTask<T>> call, TState state, CancellationToken cancellationToken)
    {
        using var attemptCts = _options.AttemptTimeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_options.AttemptTimeout is { } timeout)
        {
            attemptCts!.CancelAfter(timeout);
        }

        if (!_probe)
        {
            return await ExecuteAsync(call, state, attemptCts, cancellationToken).ConfigureAwait(false);
        }

        T result;
        try
        {
            result = await ExecuteAsync(call, state, attemptCts, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The caller's own cancellation says nothing about the route: the lease then simply expires.
            _route.ProbeFinished(ex);
            throw;
        }

        _route.ProbeFinished(null);
        return result;
    }

    private ValueTask<T> ExecuteAsync<TState, T>(Func<TState, CancellationToken, ValueTask<T>> call, TState state, CancellationTokenSource? attemptCts, CancellationToken cancellationToken)
    {
        return _route.Breaker.ExecuteAsync(
            static async (s, ct) =>
            {
                s.Self._request.Attempts++;
                try
                {
                    return await s.Call(s.State, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (s.Self.Translate(ex, s.AttemptCts, s.CallerToken) is { } translated)
                {
                    // Inside the breaker, so timeouts and connection failures count against the client's health.
#pragma warning disable MA0027 // Not a rethrow: the translated exception (timeout, caller cancellation) replaces the original.
                    throw translated;
#pragma warning restore MA0027
                }
            },
            (Self: this, Call: call, State: state, AttemptCts: attemptCts, CallerToken: cancellationToken),
            attemptCts?.Token ?? cancellationToken);
    }

    /// <summary>Returns the <see cref="ProviderException"/> to throw instead of <paramref name="ex"/>, or <see langword="null"/> to let it surface as it is.</summary>
    private ProviderException? Translate(Exception ex, CancellationTokenSource? attemptCts, CancellationToken callerToken)
    {
        if (callerToken.IsCancellationRequested)
        {
            return null;
        }

        var translated = FailoverClassifier.ToProviderException(ex, _route.Name, attemptCts?.IsCancellationRequested == true);
        return ReferenceEquals(translated, ex) ? null : translated;
    }

    private async ValueTask<ProviderException> InterruptedAsync(string message, Exception? inner)
    {
        var interrupted = new ProviderException(_route.Name, ProviderErrorKind.StreamInterrupted, message, innerException: inner)
        {
            Attempts = [.. _request.Failures],
        };
        await _route.RecordFailureAsync(interrupted).ConfigureAwait(false);
        return interrupted;
    }

    private AdditionalPropertiesDictionary Tag(AdditionalPropertiesDictionary? properties, bool countSuccess)
    {
        properties ??= [];
        properties[FallbackChatClient.ProviderKey] = _route.Name;
        if (_route.Model is not null)
        {
            properties[FallbackChatClient.ModelKey] = _route.Model;
        }

        properties[FallbackChatClient.AttemptsKey] = _request.Attempts;
        foreach (var (key, value) in _extraTags ?? [])
        {
            properties[key] = value;
        }

        if (countSuccess)
        {
            CompatTelemetry.FallbackAttempt(_route.Name, "success");
            if (Activity.Current is { } activity)
            {
                activity.SetTag(FallbackChatClient.ProviderKey, _route.Name);
                activity.SetTag(FallbackChatClient.ModelKey, _route.Model);
                activity.SetTag(FallbackChatClient.AttemptsKey, _request.Attempts);
                foreach (var (key, value) in _extraTags ?? [])
                {
                    activity.SetTag(key, value);
                }
            }
        }

        return properties;
    }
}
