namespace CompatAI;

/// <summary>What a <see cref="Budget"/> counts.</summary>
public enum BudgetUnit
{
    /// <summary>Money: each request is estimated and settled at its cost in the budget's <see cref="Budget.Currency"/>.</summary>
    Cost,

    /// <summary>Requests: each request counts 1, whatever it costs; <see cref="Budget.Currency"/> is ignored.</summary>
    Requests,
}
