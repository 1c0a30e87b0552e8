namespace CompatAI.Gateway.Management;

/// <summary>A budget and what has been spent against it in its current window.</summary>
/// <param name="Name">The budget's name.</param>
/// <param name="Scope">What it limits: a provider prefix, a <c>&lt;provider&gt;/&lt;model&gt;</c>, or another scope's name.</param>
/// <param name="Window">The window: <c>day</c> or <c>month</c>.</param>
/// <param name="Limit">The most that may be spent per window.</param>
/// <param name="Spent">What has been spent in the current window.</param>
/// <param name="Currency">The ISO 4217 currency of <paramref name="Limit"/> and <paramref name="Spent"/>.</param>
public sealed record BudgetUsage(string Name, string Scope, string Window, decimal Limit, decimal Spent, string Currency)
{
    /// <summary>
    /// Gets whether the gateway enforces the budget (<c>CompatAI:Gateway:Budgets</c>; <see cref="Spent"/> is then read from
    /// the budget store, shared by every replica with Redis) rather than only showing it
    /// (<c>CompatAI:Gateway:Management:MonthlyBudgets</c>, against the cost the gateway observed).
    /// </summary>
    public bool Enforced { get; init; }
}
