namespace CompatAI;

/// <summary>A request was refused before it was sent because it would exceed a <see cref="Budget"/>.</summary>
public sealed class BudgetExceededException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="budget">The budget that refused.</param>
    /// <param name="subject">The tenant or key id the budget applies to; <see langword="null"/> for <see cref="BudgetScope.App"/>.</param>
    /// <param name="spent">What the window had spent (and reserved) already; requests for a <see cref="BudgetUnit.Requests"/> budget.</param>
    /// <param name="estimate">The estimated cost of the refused request; 1 for a <see cref="BudgetUnit.Requests"/> budget.</param>
    /// <param name="windowEnd">When the window ends and the budget starts from zero.</param>
    public BudgetExceededException(Budget budget, string? subject, decimal spent, decimal estimate, DateTimeOffset windowEnd)
        : base(Describe(budget, subject, spent, estimate, windowEnd))
    {
        ArgumentNullException.ThrowIfNull(budget);
        BudgetName = budget.Name;
        Scope = budget.Scope;
        Subject = subject;
        Limit = budget.Limit;
        Unit = budget.Unit;
        Currency = budget.Currency;
        Spent = spent;
        Estimate = estimate;
        WindowEnd = windowEnd;
    }

    /// <summary>Gets the name of the budget that refused the request.</summary>
    public string BudgetName { get; }

    /// <summary>Gets whose spending the budget limits.</summary>
    public BudgetScope Scope { get; }

    /// <summary>Gets the tenant or key id, or <see langword="null"/> for <see cref="BudgetScope.App"/>.</summary>
    public string? Subject { get; }

    /// <summary>Gets the budget's limit per window.</summary>
    public decimal Limit { get; }

    /// <summary>Gets what <see cref="Limit"/>, <see cref="Spent"/> and <see cref="Estimate"/> count: money or requests.</summary>
    public BudgetUnit Unit { get; }

    /// <summary>Gets the currency of <see cref="Limit"/>, <see cref="Spent"/> and <see cref="Estimate"/> (meaningless when <see cref="Unit"/> is <see cref="BudgetUnit.Requests"/>).</summary>
    public string Currency { get; }

    /// <summary>Gets what the window had spent and reserved before the request.</summary>
    public decimal Spent { get; }

    /// <summary>Gets the estimated cost of the refused request.</summary>
    public decimal Estimate { get; }

    /// <summary>Gets when the window ends.</summary>
    public DateTimeOffset WindowEnd { get; }

    private static string Describe(Budget budget, string? subject, decimal spent, decimal estimate, DateTimeOffset windowEnd)
    {
        ArgumentNullException.ThrowIfNull(budget);
        string head = $"Budget '{budget.Name}' ({budget.Scope}{(subject is null ? "" : $" '{subject}'")}, per {budget.Window.ToString().ToLowerInvariant()}) refused the request: ";
        return budget.Unit == BudgetUnit.Requests
            ? head + $"all {budget.Limit:0} requests of the window are used ({spent:0} counted, including requests in flight). The window ends {windowEnd:O}."
            : head + $"{spent:0.######} {budget.Currency} of {budget.Limit:0.######} spent, and the request is estimated at {estimate:0.######}. The window ends {windowEnd:O}.";
    }
}
