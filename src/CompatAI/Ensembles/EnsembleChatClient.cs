using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// Sends one request to several clients and combines the answers by an <see cref="EnsembleMode"/>: <c>first</c> (hedged),
/// <c>vote</c>, <c>weighted</c> or <c>cascade</c>. The response is the winning member's, with every member's outcome,
/// latency and cost in <see cref="MembersKey"/>, the mode in <see cref="ModeKey"/> and the winner in
/// <see cref="FallbackChatClient.ProviderKey"/> / <see cref="WinnerKey"/>. When no member answers, the
/// <see cref="ProviderException"/> thrown lists each failure in <see cref="ProviderException.Attempts"/>.
/// </summary>
/// <remarks>
/// A streaming call runs the ensemble to its end and then yields the winning response's updates (an ensemble has to see
/// the answers before it can choose one). Caller cancellation cancels every member.
/// </remarks>
public sealed class EnsembleChatClient : IChatClient
{
    /// <summary>The <c>AdditionalProperties</c> key holding every member's <see cref="EnsembleMemberOutcome"/> (an <see cref="IReadOnlyList{T}"/>, in member order).</summary>
    public const string MembersKey = "compatai.ensemble.members";

    /// <summary>The <c>AdditionalProperties</c> key naming the mode (lower case).</summary>
    public const string ModeKey = "compatai.ensemble.mode";

    /// <summary>The <c>AdditionalProperties</c> key naming the winning member.</summary>
    public const string WinnerKey = "compatai.ensemble.winner";

    /// <summary>The <c>AdditionalProperties</c> key, for <see cref="EnsembleMode.Cascade"/>, saying whether the validator accepted the answer (a <see cref="bool"/>; the last member's answer is returned either way).</summary>
    public const string AcceptedKey = "compatai.ensemble.accepted";

    /// <summary>The <c>AdditionalProperties</c> key, for <see cref="EnsembleMode.Vote"/>, holding how many members gave the winning answer (an <see cref="int"/>).</summary>
    public const string VotesKey = "compatai.ensemble.votes";

    private readonly Member[] _members;
    private readonly EnsembleOptions _options;
    private readonly PriceTable _prices;
    private readonly string _modeName;

    /// <summary>Creates the ensemble.</summary>
    /// <param name="members">The members, at least one with distinct names; for <see cref="EnsembleMode.Cascade"/> cheapest first.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">No member, two members with the same name, a negative weight, or invalid options.</exception>
    public EnsembleChatClient(IEnumerable<EnsembleMember> members, EnsembleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        _options = options ?? new EnsembleOptions();
        _options.Validate();
        _prices = _options.Prices ?? PriceTable.Default;
        _modeName = _options.Mode.ToString().ToLowerInvariant();
        var list = members.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("An ensemble needs at least one member.", nameof(members));
        }

        _members = new Member[list.Count];
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < list.Count; i++)
        {
            var member = list[i] ?? throw new ArgumentException($"Member {i} is null.", nameof(members));
            if (member.Weight < 0 || !double.IsFinite(member.Weight))
            {
                throw new ArgumentException($"Member {i} has a negative or non-finite weight.", nameof(members));
            }

            var metadata = member.Client.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
            string? provider = (member.Client.GetService(typeof(ProviderProfile)) as ProviderProfile)?.Name ?? metadata?.ProviderName;
            string name = member.Name ?? provider ?? $"member{i}";
            if (member.Name is null && names.Contains(name) && metadata?.DefaultModelId is { } model)
            {
                name = $"{name}/{model}";
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"Two members are named '{name}'; give them distinct names.", nameof(members));
            }

            _members[i] = new Member(member, name, provider, metadata?.DefaultModelId);
        }
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outcomes = new EnsembleMemberOutcome[_members.Length];
        var (winner, response, extra) = _options.Mode switch
        {
            EnsembleMode.Cascade => await CascadeAsync(messages, options, outcomes, cancellationToken).ConfigureAwait(false),
            EnsembleMode.First => await FirstAsync(messages, options, outcomes, cancellationToken).ConfigureAwait(false),
            _ => await AllAsync(messages, options, outcomes, cancellationToken).ConfigureAwait(false),
        };

        outcomes[winner] = outcomes[winner] with { Won = true };
        var properties = response.AdditionalProperties ??= [];
        properties[FallbackChatClient.ProviderKey] = _members[winner].Provider ?? _members[winner].Name;
        properties[WinnerKey] = _members[winner].Name;
        properties[ModeKey] = _modeName;
        properties[MembersKey] = outcomes;
        if (extra is { } e)
        {
            properties[e.Key] = e.Value;
        }

        if (Activity.Current is { } activity)
        {
            activity.SetTag(ModeKey, _modeName);
            activity.SetTag(WinnerKey, _members[winner].Name);
        }

        return response;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var updates = response.ToChatResponseUpdates();
        foreach (var update in updates)
        {
            update.AdditionalProperties ??= [];
            foreach (var (key, value) in response.AdditionalProperties!)
            {
                update.AdditionalProperties[key] = value;
            }

            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Disposes every member's client.</summary>
    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Source.Client.Dispose();
        }
    }

    private async Task<(int, ChatResponse, KeyValuePair<string, object?>?)> FirstAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, EnsembleMemberOutcome[] outcomes, CancellationToken cancellationToken)
    {
        using var hedge = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new List<Task<(int Index, ChatResponse? Response)>>(_members.Length);
        for (int i = 0; i < _members.Length; i++)
        {
            running.Add(RunAsync(i, messages, options, outcomes, hedge.Token, cancellationToken));
        }

        var pending = new List<Task<(int Index, ChatResponse? Response)>>(running);
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(done);
                var (index, response) = await done.ConfigureAwait(false);
                if (response is not null)
                {
                    await hedge.CancelAsync().ConfigureAwait(false);
                    await Task.WhenAll(pending).ConfigureAwait(false); // members record their cancellation; RunAsync does not throw for it
                    return (index, response, null);
                }
            }
        }
        finally
        {
            // An unexpected error from one member (not a provider failure) surfaces; the others must not run on.
            if (pending.Count > 0 && !hedge.IsCancellationRequested)
            {
                await hedge.CancelAsync().ConfigureAwait(false);
            }
        }

        throw AllFailed(outcomes, cancellationToken);
    }

    private async Task<(int, ChatResponse, KeyValuePair<string, object?>?)> AllAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, EnsembleMemberOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var running = new Task<(int Index, ChatResponse? Response)>[_members.Length];
        for (int i = 0; i < _members.Length; i++)
        {
            running[i] = RunAsync(i, messages, options, outcomes, cancellationToken, cancellationToken);
        }

        var results = await Task.WhenAll(running).ConfigureAwait(false);
        var successes = results.Where(static r => r.Response is not null).ToList();
        if (successes.Count == 0)
        {
            throw AllFailed(outcomes, cancellationToken);
        }

        if (_options.Mode == EnsembleMode.Weighted)
        {
            double total = successes.Sum(r => _members[r.Index].Source.Weight);
            double draw = _options.Random.NextDouble() * total;
            foreach (var (index, response) in successes)
            {
                draw -= _members[index].Source.Weight;
                if (draw < 0)
                {
                    return (index, response!, null);
                }
            }

            return (successes[^1].Index, successes[^1].Response!, null);
        }

        // Vote: the largest group of equal normalized answers; ties by total weight, then by the first member's order.
        var best = successes
            .GroupBy(r => _options.Normalize(r.Response!.Text), StringComparer.Ordinal)
            .Select(g => (Votes: g.Count(), Weight: g.Sum(r => _members[r.Index].Source.Weight), First: g.Min(r => r.Index)))
            .OrderByDescending(static g => g.Votes).ThenByDescending(static g => g.Weight).ThenBy(static g => g.First)
            .First();
        return (best.First, results[best.First].Response!, new(VotesKey, best.Votes));
    }

    private async Task<(int, ChatResponse, KeyValuePair<string, object?>?)> CascadeAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, EnsembleMemberOutcome[] outcomes, CancellationToken cancellationToken)
    {
        for (int i = 0; i < _members.Length; i++)
        {
            outcomes[i] = new EnsembleMemberOutcome(_members[i].Name, EnsembleMemberStatus.NotRun, TimeSpan.Zero, null, null, false);
        }

        (int Index, ChatResponse Response)? last = null;
        for (int i = 0; i < _members.Length; i++)
        {
            var (_, response) = await RunAsync(i, messages, options, outcomes, cancellationToken, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                continue;
            }

            last = (i, response);
            if (await _options.Validator!(response, cancellationToken).ConfigureAwait(false))
            {
                return (i, response, new(AcceptedKey, true));
            }

            outcomes[i] = outcomes[i] with { Status = EnsembleMemberStatus.Rejected };
        }

        return last is { } answer
            ? (answer.Index, answer.Response, new(AcceptedKey, false))
            : throw AllFailed(outcomes, cancellationToken);
    }

    /// <summary>Runs one member and records its outcome; returns <see langword="null"/> for a failure or a cancellation by the ensemble.</summary>
    private async Task<(int Index, ChatResponse? Response)> RunAsync(int index, IEnumerable<ChatMessage> messages, ChatOptions? options, EnsembleMemberOutcome[] outcomes, CancellationToken token, CancellationToken callerToken)
    {
        var member = _members[index];
        long started = _options.TimeProvider.GetTimestamp();
        try
        {
            var response = await member.Source.Client.GetResponseAsync(messages, options?.Clone(), token).ConfigureAwait(false);
            var cost = CostCalculator.Compute(_prices, member.Provider, response.ModelId ?? member.Model, response.Usage, response.AdditionalProperties, "USD");
            outcomes[index] = new EnsembleMemberOutcome(member.Name, EnsembleMemberStatus.Succeeded, _options.TimeProvider.GetElapsedTime(started), cost?.Amount, null, false);
            return (index, response);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !callerToken.IsCancellationRequested)
        {
            outcomes[index] = new EnsembleMemberOutcome(member.Name, EnsembleMemberStatus.Cancelled, _options.TimeProvider.GetElapsedTime(started), null, null, false);
            return (index, null);
        }
        catch (Exception ex) when (!callerToken.IsCancellationRequested && (ex is ProviderException || FailoverClassifier.ToProviderException(ex, member.Name, attemptTimedOut: false) is not null))
        {
            var error = ex as ProviderException ?? FailoverClassifier.ToProviderException(ex, member.Name, attemptTimedOut: false)!;
            outcomes[index] = new EnsembleMemberOutcome(member.Name, EnsembleMemberStatus.Failed, _options.TimeProvider.GetElapsedTime(started), null, error.Message, false)
            {
                Exception = error,
            };
            return (index, null);
        }
    }

    private static ProviderException AllFailed(EnsembleMemberOutcome[] outcomes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return FailoverClassifier.AllFailed([.. outcomes.Select(static o => o.Exception).OfType<ProviderException>()], "ensemble", "Every member of the ensemble failed");
    }

    private sealed record Member(EnsembleMember Source, string Name, string? Provider, string? Model);
}
