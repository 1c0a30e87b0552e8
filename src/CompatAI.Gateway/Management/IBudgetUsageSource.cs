namespace CompatAI.Gateway.Management;

/// <summary>
/// Where <c>/v1/analytics</c> and the dashboard read budgets and what has been spent against them. The default shows
/// <c>CompatAI:Gateway:Management:MonthlyBudgets</c> against the month-to-date cost the gateway observed; register your own
/// (for example over the library's budget store) before <c>AddCompatGatewayManagement()</c> to replace it.
/// </summary>
public interface IBudgetUsageSource
{
    /// <summary>Returns every budget with its current use.</summary>
    /// <param name="cancellationToken">Cancelled when the caller goes away.</param>
    /// <returns>The budgets.</returns>
    ValueTask<IReadOnlyList<BudgetUsage>> GetBudgetsAsync(CancellationToken cancellationToken);
}
