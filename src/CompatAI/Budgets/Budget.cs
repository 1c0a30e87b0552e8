namespace CompatAI;

/// <summary>
/// A spending limit: at most <see cref="Limit"/> in <see cref="Currency"/> (or, with <see cref="BudgetUnit.Requests"/>,
/// <see cref="Limit"/> requests) per <see cref="Window"/> for each subject of <see cref="Scope"/>.
/// </summary>
public sealed class Budget
{
    /// <summary>Gets or sets the name, used in errors and as part of the store's counter keys.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets whose spending is limited. Default: <see cref="BudgetScope.App"/>.</summary>
    public BudgetScope Scope { get; set; } = BudgetScope.App;

    /// <summary>Gets or sets the period. Default: <see cref="BudgetWindow.Day"/>.</summary>
    public BudgetWindow Window { get; set; } = BudgetWindow.Day;

    /// <summary>Gets or sets what the budget counts. Default: <see cref="BudgetUnit.Cost"/>.</summary>
    public BudgetUnit Unit { get; set; } = BudgetUnit.Cost;

    /// <summary>
    /// Gets or sets the most that may be spent per window: an amount of <see cref="Currency"/> for a
    /// <see cref="BudgetUnit.Cost"/> budget, a whole number of requests for a <see cref="BudgetUnit.Requests"/> budget.
    /// </summary>
    public decimal Limit { get; set; }

    /// <summary>
    /// Gets or sets the ISO 4217 currency of <see cref="Limit"/>; only costs in this currency count. Ignored by a
    /// <see cref="BudgetUnit.Requests"/> budget. Default: <c>USD</c>.
    /// </summary>
    public string Currency { get; set; } = "USD";

    /// <summary>Returns the start and end (exclusive) of the window that contains <paramref name="now"/>.</summary>
    /// <param name="now">The time.</param>
    /// <returns>The window.</returns>
    public (DateTimeOffset Start, DateTimeOffset End) WindowAt(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return Window switch
        {
            BudgetWindow.Month => (new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1)),
            _ => (new DateTimeOffset(utc.Date, TimeSpan.Zero), new DateTimeOffset(utc.Date, TimeSpan.Zero).AddDays(1)),
        };
    }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("A budget needs a name.", nameof(Name));
        }

        if (Limit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, $"The limit of budget '{Name}' must not be negative.");
        }

        if (!Enum.IsDefined(Unit))
        {
            throw new ArgumentOutOfRangeException(nameof(Unit), Unit, $"Budget '{Name}' has an unknown unit.");
        }

        if (Unit == BudgetUnit.Requests && decimal.Truncate(Limit) != Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, $"The limit of budget '{Name}' counts requests, so it must be a whole number, not {Limit}.");
        }

        if (Unit == BudgetUnit.Cost && (string.IsNullOrWhiteSpace(Currency) || Currency.Length != 3))
        {
            throw new ArgumentException($"The currency of budget '{Name}' must be a 3-letter ISO 4217 code, not '{Currency}'.", nameof(Currency));
        }

        if (!Enum.IsDefined(Scope) || !Enum.IsDefined(Window))
        {
            throw new ArgumentOutOfRangeException(nameof(Scope), $"Budget '{Name}' has an unknown scope or window.");
        }
    }
}
