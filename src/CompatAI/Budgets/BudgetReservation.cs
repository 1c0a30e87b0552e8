namespace CompatAI;

/// <summary>The answer of <see cref="IBudgetStore.TryReserveAsync"/>.</summary>
/// <param name="Granted">Whether the amount was reserved (it fit under the limit).</param>
/// <param name="Spent">What the counter held before this reservation (spent and reserved by requests in flight).</param>
public readonly record struct BudgetReservation(bool Granted, decimal Spent);
