using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// Keeps requests within <see cref="Budget"/>s: before the call, the request's cost is estimated (the prompt counted with
/// <see cref="TokenCounter"/> at the input price, plus <c>MaxOutputTokens</c> or <see cref="BudgetOptions.ExpectedOutputTokens"/>
/// at the output price) and reserved in every budget that applies; a request that does not fit fails with
/// <see cref="BudgetExceededException"/> before anything is sent. After the call the reservation is settled with the real
/// cost (a provider-reported cost, else the usage at the table's price); a failed call releases it.
/// </summary>
/// <remarks>
/// The tenant and caller-key id of a request come from its <see cref="ChatOptions.AdditionalProperties"/>
/// (<see cref="TenantProperty"/>, <see cref="KeyProperty"/>); a budget of that scope does not apply to a request without
/// one. Use an id for the key, never the secret itself. This client keeps no state of its own: everything is in the
/// <see cref="IBudgetStore"/>. A model without a price is estimated at zero and settled at a reported cost, if any; so
/// is a request around a <see cref="RouterChatClient"/>, whose provider is known only after the call (it is settled at
/// the served provider's price). A budget already spent to its limit refuses even a request estimated at zero.
/// A <see cref="BudgetUnit.Requests"/> budget reserves 1 per request and keeps it once the provider answered (a response,
/// or a stream's first update); a call that fails before that releases it, as a cost budget does.
/// </remarks>
public sealed class BudgetingChatClient : DelegatingChatClient
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key naming the tenant of a request (a <see cref="string"/>).</summary>
    public const string TenantProperty = "compatai.budget.tenant";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key naming the id of the caller's key (a <see cref="string"/>; not the secret).</summary>
    public const string KeyProperty = "compatai.budget.key";

    private readonly BudgetOptions _options;
    private readonly IBudgetStore _store;
    private readonly PriceTable _prices;
    private readonly string? _provider;
    private readonly string? _defaultModel;
    private readonly bool _hasCostBudget;

    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client whose requests are budgeted.</param>
    /// <param name="options">The budgets and where they are kept.</param>
    public BudgetingChatClient(IChatClient innerClient, BudgetOptions options)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _store = options.Store ?? new InMemoryBudgetStore(options.TimeProvider);
        _prices = options.Prices ?? PriceTable.Default;
        var metadata = innerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        _provider = options.Provider ?? (innerClient.GetService(typeof(ProviderProfile)) as ProviderProfile)?.Name ?? metadata?.ProviderName;
        _defaultModel = metadata?.DefaultModelId;
        _hasCostBudget = options.Budgets.Any(static b => b.Unit == BudgetUnit.Cost);
    }

    /// <summary>Gets the store the budgets are kept in.</summary>
    public IBudgetStore Store => _store;

    /// <summary>Returns what a budget has spent (and reserved) in the current window for a subject.</summary>
    /// <param name="budgetName">The budget's name.</param>
    /// <param name="subject">The tenant or key id; <see langword="null"/> for an app budget.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The amount.</returns>
    /// <exception cref="ArgumentException">No budget has that name.</exception>
    public ValueTask<decimal> GetSpentAsync(string budgetName, string? subject = null, CancellationToken cancellationToken = default)
    {
        var budget = _options.Budgets.FirstOrDefault(b => b.Name == budgetName)
            ?? throw new ArgumentException($"No budget is named '{budgetName}'. Budgets: {string.Join(", ", _options.Budgets.Select(b => b.Name))}.", nameof(budgetName));
        var (start, _) = budget.WindowAt(_options.TimeProvider.GetUtcNow());
        return _store.GetSpentAsync(CounterKey(budget, subject, start), cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var held = await ReserveAsync(messages, options, cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await SettleAsync(held, 0m, null, served: false).ConfigureAwait(false);
            throw;
        }

        var cost = CostCalculator.Compute(_prices, CostCalculator.ServedBy(response.AdditionalProperties) ?? _provider, response.ModelId ?? options?.ModelId ?? _defaultModel, response.Usage, response.AdditionalProperties, _options.ReportedCostCurrency);
        await SettleAsync(held, cost?.Amount ?? 0m, cost?.Currency, served: true).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var held = await ReserveAsync(messages, options, cancellationToken).ConfigureAwait(false);
        decimal? actual = null;
        string? currency = null;
        bool settled = false;
        bool served = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                served = true;
                UsageDetails? usage = null;
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent u)
                    {
                        usage = u.Details;
                    }
                }

                if (usage is not null || update.AdditionalProperties?.ContainsKey(CostCalculator.ReportedCostProperty) == true)
                {
                    var cost = CostCalculator.Compute(_prices, CostCalculator.ServedBy(update.AdditionalProperties) ?? _provider, update.ModelId ?? options?.ModelId ?? _defaultModel, usage, update.AdditionalProperties, _options.ReportedCostCurrency);
                    if (cost is not null)
                    {
                        actual = (actual ?? 0m) + cost.Amount;
                        currency = cost.Currency;
                    }
                }

                yield return update;
            }

            // A stream without usage keeps its estimate: the conservative reading of an unknown cost.
            settled = true;
            await SettleAsync(held, actual, currency, served: true).ConfigureAwait(false);
        }
        finally
        {
            if (!settled)
            {
                await SettleAsync(held, actual ?? 0m, currency, served).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<List<Held>> ReserveAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var held = new List<Held>(_options.Budgets.Count);
        if (_options.Budgets.Count == 0)
        {
            return held;
        }

        string? model = options?.ModelId ?? _defaultModel;
        decimal estimate = 0m;
        string? estimateCurrency = null;
        // Only a cost budget needs the estimate: a request budget reserves 1 without counting tokens.
        if (_hasCostBudget && _prices.TryGet(_provider, model, out var price))
        {
            int prompt = TokenCounter.ForModel(model!).CountChat(messages, options).Tokens;
            estimate = price.CostOf(prompt, 0, options?.MaxOutputTokens ?? _options.ExpectedOutputTokens);
            estimateCurrency = price.Currency;
        }

        var now = _options.TimeProvider.GetUtcNow();
        foreach (var budget in _options.Budgets)
        {
            if (!TryGetSubject(budget, options, out var subject))
            {
                continue;
            }

            var (start, end) = budget.WindowAt(now);
            decimal amount = budget.Unit == BudgetUnit.Requests ? 1m
                : string.Equals(estimateCurrency, budget.Currency, StringComparison.OrdinalIgnoreCase) ? estimate : 0m;
            string counter = CounterKey(budget, subject, start);
            var reservation = await _store.TryReserveAsync(counter, amount, budget.Limit, end, cancellationToken).ConfigureAwait(false);

            // A budget already spent to its limit refuses even a request it cannot price.
            if (!reservation.Granted || (amount == 0m && reservation.Spent >= budget.Limit))
            {
                if (reservation.Granted)
                {
                    held.Add(new Held(budget, counter, amount, end));
                }

                await SettleAsync(held, 0m, null, served: false).ConfigureAwait(false);
                throw new BudgetExceededException(budget, subject, reservation.Spent, amount, end);
            }

            held.Add(new Held(budget, counter, amount, end));
        }

        return held;
    }

    private async ValueTask SettleAsync(List<Held> held, decimal? actual, string? currency, bool served)
    {
        foreach (var h in held)
        {
            // A request budget keeps its 1 for a request the provider answered. Costs in another currency do not count
            // against a cost budget; no cost known keeps the estimate.
            decimal real = h.Budget.Unit == BudgetUnit.Requests ? (served ? h.Reserved : 0m)
                : actual is null ? h.Reserved
                : currency is null || string.Equals(currency, h.Budget.Currency, StringComparison.OrdinalIgnoreCase) ? actual.Value : 0m;
            if (real != h.Reserved)
            {
                // Nothing to correct otherwise (a served request of a request budget, a cost equal to its estimate): a
                // shared store is spared the round trip.
                await _store.SettleAsync(h.Counter, h.Reserved, real, h.ExpiresAt, CancellationToken.None).ConfigureAwait(false);
            }
        }

        held.Clear();
    }

    /// <summary>Returns whether <paramref name="budget"/> applies to the request, and to whom (<see langword="null"/> for the app).</summary>
    private static bool TryGetSubject(Budget budget, ChatOptions? options, out string? subject)
    {
        subject = null;
        if (budget.Scope == BudgetScope.App)
        {
            return true;
        }

        string key = budget.Scope == BudgetScope.Tenant ? TenantProperty : KeyProperty;
        subject = options?.AdditionalProperties?.TryGetValue(key, out var value) == true ? value?.ToString() : null;
        return !string.IsNullOrEmpty(subject);
    }

    private static string CounterKey(Budget budget, string? subject, DateTimeOffset windowStart) =>
        budget.Unit == BudgetUnit.Requests
            ? $"{budget.Name}|{budget.Scope}|{subject}|{windowStart:yyyy-MM-dd}|requests"
            : $"{budget.Name}|{budget.Scope}|{subject}|{windowStart:yyyy-MM-dd}";

    private readonly record struct Held(Budget Budget, string Counter, decimal Reserved, DateTimeOffset ExpiresAt);
}
