namespace CompatAI;

/// <summary>Configures <see cref="BudgetingChatClient"/>.</summary>
public sealed class BudgetOptions
{
    /// <summary>Gets the budgets every request is checked against (all must have room).</summary>
    public IList<Budget> Budgets { get; } = [];

    /// <summary>
    /// Gets or sets where spending is kept. Default: with <c>UseBudgets</c>, the <see cref="IBudgetStore"/> registered in
    /// the service provider the pipeline is built with, else a new <see cref="InMemoryBudgetStore"/>.
    /// </summary>
    public IBudgetStore? Store { get; set; }

    /// <summary>
    /// Gets or sets the prices used for the estimate and the settlement. Default (<see langword="null"/>): the
    /// <see cref="PriceTable"/> registered in the service provider the pipeline is built with, else <see cref="PriceTable.Default"/>.
    /// </summary>
    public PriceTable? Prices { get; set; }

    /// <summary>Gets or sets the provider the prices are looked up under. Default: the inner client's provider.</summary>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the output tokens expected of a request that sets no <c>MaxOutputTokens</c>, for the estimate. Default: 512.</summary>
    public int ExpectedOutputTokens { get; set; } = 512;

    /// <summary>Gets or sets the currency a provider-reported cost is in. Default: <c>USD</c>.</summary>
    public string ReportedCostCurrency { get; set; } = "USD";

    /// <summary>Gets or sets the clock that decides the window. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (ExpectedOutputTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ExpectedOutputTokens), ExpectedOutputTokens, "BudgetOptions.ExpectedOutputTokens must not be negative.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var budget in Budgets)
        {
            ArgumentNullException.ThrowIfNull(budget, nameof(Budgets));
            budget.Validate();
            if (!names.Add(budget.Name))
            {
                throw new ArgumentException($"Two budgets are named '{budget.Name}'.", nameof(Budgets));
            }
        }
    }
}
