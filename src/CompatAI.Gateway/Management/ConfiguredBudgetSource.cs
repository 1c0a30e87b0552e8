using CompatAI.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace CompatAI.Gateway.Management;

/// <summary>
/// The enforced budgets (<c>CompatAI:Gateway:Budgets</c>) with what their store says was spent, then the display-only
/// <c>CompatAI:Gateway:Management:MonthlyBudgets</c> against the month-to-date cost in the usage ledger (every replica's).
/// </summary>
internal sealed class ConfiguredBudgetSource : IBudgetUsageSource
{
    private readonly GatewayManagementOptions _options;
    private readonly Cluster.IGatewayFigures _figures;
    private readonly GatewayRuntime _runtime;
    private readonly BudgetingChatClient? _reader;

    public ConfiguredBudgetSource(IOptions<GatewayManagementOptions> options, Cluster.IGatewayFigures figures, GatewayRuntime runtime)
    {
        _options = options.Value;
        _figures = figures;
        _runtime = runtime;
        _reader = runtime.Policies.CreateBudgetReader();
    }

    public async ValueTask<IReadOnlyList<BudgetUsage>> GetBudgetsAsync(CancellationToken cancellationToken)
    {
        // Every replica's observed cost when they share state (month-to-date for the display-only budgets, key ids seen).
        var rows = (await _figures.ReadLedgerAsync(cancellationToken).ConfigureAwait(false)).Figures;
        var list = new List<BudgetUsage>();
        if (_reader is not null)
        {
            await AddEnforcedAsync(list, rows, cancellationToken).ConfigureAwait(false);
        }

        var currency = _options.BudgetCurrency.ToUpperInvariant();
        foreach (var (scope, limit) in _options.MonthlyBudgets.OrderBy(b => b.Key, StringComparer.OrdinalIgnoreCase))
        {
            var slash = scope.IndexOf('/', StringComparison.Ordinal);
            var provider = slash < 0 ? scope : scope[..slash];
            var model = slash < 0 ? null : scope[(slash + 1)..];
            var spent = rows
                .Where(r => string.Equals(r.Provider, provider, StringComparison.OrdinalIgnoreCase) && (model is null || string.Equals(r.Model, model, StringComparison.Ordinal)))
                .Sum(r => r.MonthCost.GetValueOrDefault(currency));
            list.Add(new BudgetUsage(scope, scope, "month", limit, (decimal)spent, currency));
        }

        return list;
    }

    /// <summary>
    /// One row per app budget, and per key budget one row for each key id known here: the gateway's own keys and the key ids
    /// the usage ledger has seen. Tenant budgets are enforced but not listed (their tenants are not known in advance).
    /// </summary>
    private async Task AddEnforcedAsync(List<BudgetUsage> list, IReadOnlyList<LedgerRow> rows, CancellationToken cancellationToken)
    {
        var keyIds = _runtime.Options.Keys.Where(k => !string.IsNullOrEmpty(k)).Select(GatewayKeyId.Of)
            .Concat(rows.Select(r => r.Client).Where(c => c.StartsWith("key-", StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var budget in _runtime.Policies.Budgets)
        {
            var window = budget.Window.ToString().ToLowerInvariant();
            switch (budget.Scope)
            {
                case BudgetScope.App:
                    list.Add(new BudgetUsage(budget.Name, "app", window, budget.Limit, await SpentAsync(budget.Name, null, cancellationToken).ConfigureAwait(false), UnitOf(budget)) { Enforced = true });
                    break;
                case BudgetScope.Key:
                    foreach (var keyId in keyIds)
                    {
                        list.Add(new BudgetUsage(budget.Name, "key " + keyId, window, budget.Limit, await SpentAsync(budget.Name, keyId, cancellationToken).ConfigureAwait(false), UnitOf(budget)) { Enforced = true });
                    }

                    break;
            }
        }
    }

    private async Task<decimal> SpentAsync(string budget, string? subject, CancellationToken cancellationToken) =>
        await _reader!.GetSpentAsync(budget, subject, cancellationToken).ConfigureAwait(false);

    /// <summary>The unit of a budget's limit and spending: its currency, or <c>requests</c>.</summary>
    private static string UnitOf(Budget budget) => budget.Unit == BudgetUnit.Requests ? "requests" : budget.Currency.ToUpperInvariant();
}
