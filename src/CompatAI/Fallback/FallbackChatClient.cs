using System.Diagnostics;
using System.Runtime.CompilerServices;
using CompatAI;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;

namespace CompatAI;

/// <summary>
/// An ordered chain of chat clients: each request goes to the first healthy client, and moves on to the next when a
/// client fails for a reason another provider may not share (rate limits, quota or credit exhaustion, 5xx, timeouts,
/// connection and authentication failures). Invalid requests, content filtering and caller cancellation surface at once.
/// A rate-limited client is skipped for its <see cref="ProviderException.RetryAfter"/>; a Polly circuit breaker per
/// client skips one that keeps failing and probes it again after a break. A stream falls over only before its first
/// update; later failures surface as <see cref="ProviderErrorKind.StreamInterrupted"/>.
/// </summary>
/// <remarks>
/// The response's (and each update's) <c>AdditionalProperties</c> carry <see cref="ProviderKey"/>, <see cref="ModelKey"/>
/// and <see cref="AttemptsKey"/>; the same values are set as tags on the current <see cref="Activity"/>, and every attempt
/// is counted on the <c>compatai.fallback.attempts</c> counter of the <c>CompatAI</c> meter. When every client
/// fails, the <see cref="ProviderException"/> thrown has each attempt's error in <see cref="ProviderException.Attempts"/>.
/// </remarks>
public sealed class FallbackChatClient : IChatClient
{
    /// <summary>The <c>AdditionalProperties</c> key naming the provider that served the response.</summary>
    public const string ProviderKey = "compatai.provider";

    /// <summary>The <c>AdditionalProperties</c> key naming the model of the client that served the response.</summary>
    public const string ModelKey = "compatai.model";

    /// <summary>The <c>AdditionalProperties</c> key holding how many clients were tried (an <see cref="int"/>).</summary>
    public const string AttemptsKey = "compatai.attempts";

    private readonly Entry[] _entries;
    private readonly FallbackOptions _options;

    /// <summary>Creates the chain.</summary>
    /// <param name="clients">The clients, in order of preference; at least one.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">No client is given, or one is <see langword="null"/>.</exception>
    public FallbackChatClient(IEnumerable<IChatClient> clients, FallbackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        _options = options ?? new FallbackOptions();
        _options.Validate();
        var list = clients.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A fallback chain needs at least one client.", nameof(clients));
        }

        _entries = new Entry[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            var client = list[i] ?? throw new ArgumentException($"Fallback client {i} is null.", nameof(clients));
            _entries[i] = new Entry(client, i, _options);
        }
    }

    /// <summary>Gets the clients of the chain, in order.</summary>
    public IReadOnlyList<IChatClient> Clients => [.. _entries.Select(static e => e.Client)];

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var failures = new List<ProviderException>();
        int attempts = 0;
        foreach (var entry in _entries)
        {
            if (Skip(entry, failures))
            {
                continue;
            }

            attempts++;
            using var attemptCts = StartAttempt(cancellationToken);
            try
            {
                var response = await entry.Breaker.ExecuteAsync(
                    static async (state, ct) => await state.Entry.Client.GetResponseAsync(state.Messages, state.Options, ct).ConfigureAwait(false),
                    (Entry: entry, Messages: list, Options: options),
                    attemptCts?.Token ?? cancellationToken).ConfigureAwait(false);
                response.AdditionalProperties = Tag(response.AdditionalProperties, entry, attempts);
                return response;
            }
            catch (Exception ex) when (Handle(ex, entry, failures, attemptCts, cancellationToken))
            {
                // Recorded; move on to the next client. A client skipped by its open circuit was not really tried.
                attempts -= ex is BrokenCircuitException ? 1 : 0;
            }
        }

        throw AllFailed(failures);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var failures = new List<ProviderException>();
        int attempts = 0;
        foreach (var entry in _entries)
        {
            if (Skip(entry, failures))
            {
                continue;
            }

            attempts++;
            IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
            ChatResponseUpdate? first = null;
            var attemptCts = StartAttempt(cancellationToken);
            var streamCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                (enumerator, first) = await entry.Breaker.ExecuteAsync(
                    static async (state, ct) =>
                    {
                        var e = state.Entry.Client.GetStreamingResponseAsync(state.Messages, state.Options, state.StreamToken).GetAsyncEnumerator(state.StreamToken);
                        try
                        {
                            using var registration = ct.Register(static s => ((CancellationTokenSource)s!).Cancel(), state.StreamCts);
                            if (!await e.MoveNextAsync().ConfigureAwait(false))
                            {
                                throw new ProviderException(state.Entry.Name, ProviderErrorKind.StreamInterrupted, $"The stream from '{state.Entry.Name}' ended before any update.");
                            }

                            return (e, e.Current);
                        }
                        catch
                        {
                            await e.DisposeAsync().ConfigureAwait(false);
                            throw;
                        }
                    },
                    (Entry: entry, Messages: list, Options: options, StreamToken: streamCts.Token, StreamCts: streamCts),
                    attemptCts?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (Handle(ex, entry, failures, attemptCts, cancellationToken, streamCts))
            {
                attempts -= ex is BrokenCircuitException ? 1 : 0;
                attemptCts?.Dispose();
                streamCts.Dispose();
                continue;
            }
            finally
            {
                attemptCts?.Dispose();
            }

            // From here on the caller has output from this client: no more fallback.
            try
            {
                bool finished = first.FinishReason is not null;
                first.AdditionalProperties = Tag(first.AdditionalProperties, entry, attempts);
                yield return first;
                while (true)
                {
                    ChatResponseUpdate update;
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
                        var interrupted = new ProviderException(entry.Name, ProviderErrorKind.StreamInterrupted, $"The stream from '{entry.Name}' broke off after output had started: {ex.Message}", innerException: ex)
                        {
                            Attempts = [.. failures],
                        };
                        await RecordFailureAsync(entry, interrupted).ConfigureAwait(false);
                        throw interrupted;
                    }

                    finished |= update.FinishReason is not null;
                    yield return update;
                }

                if (!finished && _options.RequireFinishReason)
                {
                    var truncated = new ProviderException(entry.Name, ProviderErrorKind.StreamInterrupted, $"The stream from '{entry.Name}' ended without a finish reason; the response may be truncated.")
                    {
                        Attempts = [.. failures],
                    };
                    await RecordFailureAsync(entry, truncated).ConfigureAwait(false);
                    throw truncated;
                }
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
                streamCts.Dispose();
            }

            yield break;
        }

        throw AllFailed(failures);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return _entries[0].Client.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var entry in _entries)
        {
            entry.Client.Dispose();
        }
    }

    private bool Skip(Entry entry, List<ProviderException> failures)
    {
        if (entry.CooldownUntil is { } until && _options.TimeProvider.GetUtcNow() < until)
        {
            failures.Add(new ProviderException(entry.Name, ProviderErrorKind.RateLimited, $"'{entry.Name}' was skipped: it asked to wait until {until:O}.", retryAfter: until - _options.TimeProvider.GetUtcNow()));
            return true;
        }

        // An open circuit is left to Polly, which turns it half-open (one probe) once the break is over.
        if (entry.BreakerState?.CircuitState is CircuitState.Isolated)
        {
            failures.Add(new ProviderException(entry.Name, ProviderErrorKind.Unavailable, $"'{entry.Name}' was skipped: its circuit breaker is open after repeated failures."));
            return true;
        }

        return false;
    }

    private CancellationTokenSource? StartAttempt(CancellationToken cancellationToken)
    {
        if (_options.AttemptTimeout is not { } timeout)
        {
            return null;
        }

        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        return cts;
    }

    private bool Handle(Exception ex, Entry entry, List<ProviderException> failures, CancellationTokenSource? attemptCts, CancellationToken callerToken, CancellationTokenSource? streamCts = null)
    {
        if (callerToken.IsCancellationRequested)
        {
            return false;
        }

        if (ex is BrokenCircuitException)
        {
            failures.Add(new ProviderException(entry.Name, ProviderErrorKind.Unavailable, $"'{entry.Name}' was skipped: its circuit breaker is open after repeated failures.", innerException: ex));
            Trace(entry, "circuit_open");
            return true;
        }

        bool timedOut = attemptCts?.IsCancellationRequested == true;
        var error = FailoverClassifier.ToProviderException(ex, entry.Name, timedOut);
        if (error is null || !FailoverClassifier.ShouldFallOver(error, _options))
        {
            return false;
        }

        streamCts?.Cancel();
        if (error.Kind == ProviderErrorKind.RateLimited && error.RetryAfter is { } wait && wait > TimeSpan.Zero)
        {
            entry.CooldownUntil = _options.TimeProvider.GetUtcNow() + wait;
        }

        failures.Add(error);
        Trace(entry, error.Kind.ToString());
        return true;
    }

    private static async ValueTask RecordFailureAsync(Entry entry, ProviderException error)
    {
        try
        {
            await entry.Breaker.ExecuteAsync(static (e, _) => ValueTask.FromException(e), (Exception)error, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ReferenceEquals(ex, error) || ex is BrokenCircuitException)
        {
            // The outcome is now counted by the breaker.
        }
    }

    private static ProviderException AllFailed(List<ProviderException> failures)
    {
        var last = failures.Count > 0 ? failures[^1] : null;
        string summary = string.Join("; ", failures.Select(static f => $"{f.ProviderName}: {f.Kind}"));
        return new ProviderException(
            "fallback",
            last?.Kind ?? ProviderErrorKind.Unavailable,
            $"Every client of the fallback chain failed ({summary}).",
            last?.StatusCode,
            last?.ErrorCode,
            failures.Where(static f => f.RetryAfter is not null).Select(static f => f.RetryAfter).Min(),
            last)
        {
            Attempts = [.. failures],
        };
    }

    private static AdditionalPropertiesDictionary Tag(AdditionalPropertiesDictionary? properties, Entry entry, int attempts)
    {
        properties ??= [];
        properties[ProviderKey] = entry.Name;
        if (entry.Model is not null)
        {
            properties[ModelKey] = entry.Model;
        }

        properties[AttemptsKey] = attempts;
        CompatTelemetry.FallbackAttempt(entry.Name, "success");
        if (Activity.Current is { } activity)
        {
            activity.SetTag(ProviderKey, entry.Name);
            activity.SetTag(ModelKey, entry.Model);
            activity.SetTag(AttemptsKey, attempts);
        }

        return properties;
    }

    private static void Trace(Entry entry, string reason)
    {
        CompatTelemetry.FallbackAttempt(entry.Name, reason);
    }

    private sealed class Entry
    {
        public Entry(IChatClient client, int index, FallbackOptions options)
        {
            Client = client;
            var metadata = client.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
            Name = (client.GetService(typeof(ProviderProfile)) as ProviderProfile)?.Name ?? metadata?.ProviderName ?? $"client{index}";
            Model = metadata?.DefaultModelId;
            var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
            if (options.CircuitBreaker.Enabled)
            {
                BreakerState = new CircuitBreakerStateProvider();
                builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    FailureRatio = options.CircuitBreaker.FailureRatio,
                    MinimumThroughput = options.CircuitBreaker.MinimumThroughput,
                    SamplingDuration = options.CircuitBreaker.SamplingDuration,
                    BreakDuration = options.CircuitBreaker.BreakDuration,
                    StateProvider = BreakerState,
                    ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } e && FailoverClassifier.CountsAgainstHealth(e)),
                    OnOpened = _ => CompatTelemetry.BreakerTransition(Name, CompatTelemetry.BreakerOpened),
                    OnHalfOpened = _ => CompatTelemetry.BreakerTransition(Name, CompatTelemetry.BreakerHalfOpened),
                    OnClosed = _ => CompatTelemetry.BreakerTransition(Name, CompatTelemetry.BreakerClosed),
                });
            }

            Breaker = builder.Build();
        }

        public IChatClient Client { get; }

        public string Name { get; }

        public string? Model { get; }

        public ResiliencePipeline Breaker { get; }

        public CircuitBreakerStateProvider? BreakerState { get; }

        private long _cooldownUntilTicks;

        /// <summary>Gets or sets when a rate-limited client may be tried again; read and written atomically across concurrent requests.</summary>
        public DateTimeOffset? CooldownUntil
        {
            get => Interlocked.Read(ref _cooldownUntilTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
            set => Interlocked.Exchange(ref _cooldownUntilTicks, value?.UtcTicks ?? 0);
        }
    }
}
