using System.Collections.Concurrent;

namespace CompatAI;

/// <summary>An <see cref="IBudgetStore"/> in this process's memory: budgets are per process and start from zero on restart.</summary>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock used to forget counters of past windows. Default: <see cref="TimeProvider.System"/>.</param>
    public InMemoryBudgetStore(TimeProvider? timeProvider = null) => _timeProvider = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public ValueTask<BudgetReservation> TryReserveAsync(string counter, decimal amount, decimal limit, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counter);
        cancellationToken.ThrowIfCancellationRequested();
        ForgetExpired();
        var entry = _counters.GetOrAdd(counter, static (_, end) => new Counter(end), expiresAt);
        lock (entry)
        {
            decimal before = entry.Amount;
            if (before + amount > limit)
            {
                return ValueTask.FromResult(new BudgetReservation(false, before));
            }

            entry.Amount = before + amount;
            return ValueTask.FromResult(new BudgetReservation(true, before));
        }
    }

    /// <inheritdoc />
    public ValueTask SettleAsync(string counter, decimal reserved, decimal actual, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counter);
        var entry = _counters.GetOrAdd(counter, static (_, end) => new Counter(end), expiresAt);
        lock (entry)
        {
            entry.Amount = Math.Max(0, entry.Amount + actual - reserved);
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask<decimal> GetSpentAsync(string counter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counter);
        if (!_counters.TryGetValue(counter, out var entry) || entry.ExpiresAt <= _timeProvider.GetUtcNow())
        {
            return ValueTask.FromResult(0m);
        }

        lock (entry)
        {
            return ValueTask.FromResult(entry.Amount);
        }
    }

    private void ForgetExpired()
    {
        if (_counters.Count < 1024)
        {
            return;
        }

        var now = _timeProvider.GetUtcNow();
        foreach (var pair in _counters)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                _counters.TryRemove(pair);
            }
        }
    }

    private sealed class Counter(DateTimeOffset expiresAt)
    {
        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public decimal Amount { get; set; }
    }
}
