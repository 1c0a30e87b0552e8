namespace CompatAI;

/// <summary>
/// Where <see cref="BudgetingChatClient"/> keeps what was spent: one counter per budget, subject and window. The
/// in-memory default is <see cref="InMemoryBudgetStore"/>; a shared store (Redis) lets several processes share budgets.
/// Implementations must make <see cref="TryReserveAsync"/> atomic per counter.
/// </summary>
public interface IBudgetStore
{
    /// <summary>Adds <paramref name="amount"/> to the counter when the result stays within <paramref name="limit"/>.</summary>
    /// <param name="counter">The counter key (budget, subject and window start).</param>
    /// <param name="amount">The estimated cost of the request.</param>
    /// <param name="limit">The budget's limit.</param>
    /// <param name="expiresAt">When the counter's window ends; the store may forget the counter after that.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether the amount was reserved, and what the counter held before.</returns>
    ValueTask<BudgetReservation> TryReserveAsync(string counter, decimal amount, decimal limit, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Replaces a reservation with what the request really cost (adds <paramref name="actual"/> minus <paramref name="reserved"/>; 0 releases it).</summary>
    /// <param name="counter">The counter key.</param>
    /// <param name="reserved">The amount reserved before the call.</param>
    /// <param name="actual">The real cost.</param>
    /// <param name="expiresAt">When the counter's window ends.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>
    /// A task that completes when the counter is updated; a shared store may complete it once the update is queued, to
    /// keep a round trip off the request's path (see the store's documentation, such as <c>RedisBudgetStore</c>'s).
    /// </returns>
    ValueTask SettleAsync(string counter, decimal reserved, decimal actual, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Returns what the counter holds (0 for an unknown or expired counter).</summary>
    /// <param name="counter">The counter key.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The amount spent and reserved.</returns>
    ValueTask<decimal> GetSpentAsync(string counter, CancellationToken cancellationToken = default);
}
