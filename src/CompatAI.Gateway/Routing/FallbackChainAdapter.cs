using System.Runtime.CompilerServices;
using CompatAI.Gateway.Adapters;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Routing;

/// <summary>
/// A gateway-only chain (<c>CompatAI:Gateway:Chains:&lt;name&gt;</c>) served as one model: tries each
/// <c>&lt;provider&gt;/&lt;model&gt;</c> of any adapter (configured or added in code) in order and moves on when one fails
/// before sending any output. Once output has started, a failure is final. <c>CompatAI:Fallback</c>, the library's chain of
/// configured providers, is served by <see cref="ConfiguredFallbackAdapter"/> instead.
/// </summary>
internal sealed class FallbackChainAdapter : IGatewayAdapter
{
    private readonly string _name;
    private readonly IReadOnlyList<string> _entries;
    private readonly GatewayRouter _router;

    public FallbackChainAdapter(string name, IReadOnlyList<string> entries, GatewayRouter router)
    {
        _name = name;
        _entries = entries;
        _router = router;
    }

    public void Validate()
    {
        if (_entries.Count == 0)
        {
            throw new InvalidOperationException($"The fallback chain '{_name}' has no entries; list '<provider>/<model>' names.");
        }

        foreach (var entry in _entries)
        {
            if (!_router.TryResolve(entry, out var match, out _) || (match.Adapter is Management.ObservedAdapter observed ? observed.Inner : match.Adapter) is FallbackChainAdapter or ConfiguredFallbackAdapter)
            {
                throw new InvalidOperationException($"The fallback chain '{_name}' names '{entry}', which is not a '<provider>/<model>' of a configured provider.");
            }
        }
    }

    public Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public async Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken)
    {
        var failures = new List<ProviderException>();
        for (var i = 0; i < _entries.Count; i++)
        {
            var (attempt, adapter) = Prepare(request, i);
            try
            {
                var response = await adapter.CompleteAsync(attempt, cancellationToken).ConfigureAwait(false);
                request.Context.ServedBy = attempt.Context.ServedBy ?? attempt.Context.ProviderName;
                return response;
            }
            catch (Exception ex) when (ShouldFallBack(ex, cancellationToken))
            {
                failures.Add(AsProviderException(ex, attempt.Context.ProviderName));
            }
        }

        throw Exhausted(failures);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var failures = new List<ProviderException>();
        for (var i = 0; i < _entries.Count; i++)
        {
            var (attempt, adapter) = Prepare(request, i);
            var enumerator = adapter.StreamAsync(attempt, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                bool first;
                try
                {
                    first = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ShouldFallBack(ex, cancellationToken))
                {
                    failures.Add(AsProviderException(ex, attempt.Context.ProviderName));
                    continue;
                }

                // Output has started: this provider serves the request, whatever happens next.
                request.Context.ServedBy = attempt.Context.ServedBy ?? attempt.Context.ProviderName;
                if (!first)
                {
                    yield break;
                }

                yield return enumerator.Current;
                while (await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield return enumerator.Current;
                }

                yield break;
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }

        throw Exhausted(failures);
    }

    private (GatewayChatRequest Attempt, IGatewayAdapter Adapter) Prepare(GatewayChatRequest request, int index)
    {
        var match = _router.Resolve(_entries[index]);
        return (request.WithContext(request.Context.For(match.ProviderName, match.ModelId)), match.Adapter);
    }

    /// <summary>
    /// Any failure moves on to the next entry, except the client's own cancellation and a budget's refusal (budgets limit
    /// the caller, not one provider: the next entry would refuse too).
    /// </summary>
    private static bool ShouldFallBack(Exception ex, CancellationToken cancellationToken) =>
        !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested) && ex is not BudgetExceededException;

    private static ProviderException AsProviderException(Exception ex, string provider) =>
        ex as ProviderException ?? new ProviderException(provider, ProviderErrorKind.Unknown, "The provider failed: " + ex.GetType().Name, innerException: ex);

    private ProviderException Exhausted(List<ProviderException> failures)
    {
        var last = failures[^1];
        return new ProviderException(
            last.ProviderName,
            last.Kind,
            $"Every provider of the fallback chain '{_name}' failed; the last said: {last.Message}",
            last.StatusCode,
            last.ErrorCode,
            last.RetryAfter,
            last)
        {
            Attempts = failures,
        };
    }
}
