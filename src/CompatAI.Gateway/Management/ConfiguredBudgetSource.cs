using Microsoft.Extensions.Options;

namespace CompatAI.Gateway.Management;

/// <summary><c>CompatAI:Gateway:Management:MonthlyBudgets</c> against the month-to-date cost in the <see cref="UsageLedger"/>.</summary>
internal sealed class ConfiguredBudgetSource : IBudgetUsageSource
{
    private readonly GatewayManagementOptions _options;
    private readonly UsageLedger _ledger;

    public ConfiguredBudgetSource(IOptions<GatewayManagementOptions> options, UsageLedger ledger)
    {
        _options = options.Value;
        _ledger = ledger;
    }

    public ValueTask<IReadOnlyList<BudgetUsage>> GetBudgetsAsync(CancellationToken cancellationToken)
    {
        var rows = _ledger.Snapshot();
        var currency = _options.BudgetCurrency.ToUpperInvariant();
        var list = new List<BudgetUsage>();
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

        return ValueTask.FromResult<IReadOnlyList<BudgetUsage>>(list);
    }
}
