namespace CompatAI;

/// <summary>The period after which a <see cref="Budget"/> starts again from zero (calendar periods in UTC).</summary>
public enum BudgetWindow
{
    /// <summary>A UTC calendar day.</summary>
    Day,

    /// <summary>A UTC calendar month.</summary>
    Month,
}
