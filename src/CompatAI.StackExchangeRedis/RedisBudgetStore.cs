using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CompatAI;

/// <summary>
/// An <see cref="IBudgetStore"/> in Redis, so that every process (or gateway replica) connected to the same Redis with the
/// same <see cref="CompatRedisOptions.KeyPrefix"/> shares one counter per budget, subject and window. A reservation is one
/// Lua script (read, compare with the limit, add, expire at the window's end), so concurrent processes never overspend a
/// budget between them.
/// </summary>
/// <remarks>
/// <para>
/// Amounts are kept exactly as whole multiples of 10^-12 (<see cref="Precision"/>) in a 64-bit Redis integer (changed with
/// <c>INCRBY</c>; the script compares the digits as text, never as Lua's floating-point numbers). That holds the cost of any
/// number of tokens at a price with up to six decimals per million tokens. A reservation's estimate with more decimals is
/// rounded up, a limit down, so rounding never lets a request through that would not fit. An amount beyond
/// ±<see cref="MaxAmount"/> (about 9.2 million currency units or requests per window) cannot be held: an estimate or a
/// limit beyond it is refused with an <see cref="ArgumentOutOfRangeException"/>, while a settled cost beyond it (or a
/// counter whose total would pass it) counts as the maximum, so that a request already served never fails.
/// </para>
/// <para>
/// When Redis is unreachable, does not answer within <see cref="CompatRedisOptions.OperationTimeout"/> or answers with
/// an error, no request fails: the store goes on with a local <see cref="InMemoryBudgetStore"/> and logs the outage
/// once. During the outage each process enforces every budget alone (and <see cref="GetSpentAsync"/> answers with its
/// own count), so N processes may spend up to N times a limit between them. When Redis answers again, what each process
/// counted locally is added to the Redis counters before anything else is done there, and the store shares again. The
/// exchange errs towards counting too much, never too little: a Redis call that timed out may have been applied as well
/// as counted locally, and a request reserved locally that settles while its counter is being moved, or a request
/// reserved in Redis that settles during the outage, keeps its estimate.
/// </para>
/// <para>
/// Settlements are off the request's path: <see cref="SettleAsync"/> queues the correction (a bounded queue; it waits
/// only when the queue is full) and returns, and one background task applies what is queued, several at a time, with one
/// script call per counter, all sent before any answer is awaited (one round trip per batch). Admission is decided by
/// <see cref="TryReserveAsync"/> alone, which is never queued, so no budget is overspent because of the queue: until a
/// settlement is applied its counter holds the reservation's estimate (a released request still counts, a cheaper one
/// counts its estimate), which errs towards refusing. That window is the time the batch before it takes, about one
/// Redis round trip, or <see cref="CompatRedisOptions.OperationTimeout"/> when Redis does not answer (then the
/// settlement is applied locally, as above). <see cref="GetSpentAsync"/> of this store waits for the settlements queued
/// before it; <see cref="FlushAsync"/> waits for them without reading; disposing the store (as the host does on
/// shutdown) applies what is still queued.
/// </para>
/// <para>
/// <b>Leases</b> (<see cref="CompatRedisBudgetOptions.Leases"/>, on by default) take the reservation's round trip off
/// most requests without ever overspending. A reservation that goes to Redis while the budget has ample headroom
/// reserves k times its amount in the same script call: k = headroom / (amount × <see cref="CompatRedisBudgetOptions.LeaseDivisor"/>
/// (64)), at least 1 and at most <see cref="CompatRedisBudgetOptions.MaxLeaseRequests"/> (32), the headroom being what
/// this process learnt from its last call on the counter (the first call on a counter reserves its amount alone). The
/// script takes the lease only when all of it fits under the limit, else the amount alone when that fits, so every unit
/// a lease holds is counted in Redis before this process grants it. Later reservations of the same counter (same limit
/// and window end) are granted from the lease in this process, under a lock per counter, with no Redis call, as long as
/// they fit; one that does not fit adds what the lease still holds to its amount and asks Redis for the rest. Near the
/// limit k is 1, which is exactly a reservation without a lease. Settlements are unchanged (they correct the Redis
/// counter, which holds the lease). What a lease holds unused is given back to Redis (a negative correction through the
/// settlement queue) once it has been unused for <see cref="CompatRedisBudgetOptions.LeaseIdleTime"/> (1 second, checked
/// on that period, so given back within twice that), by <see cref="FlushAsync"/> and on dispose; at the window's end it
/// is dropped (the Redis counter expires with it). <see cref="GetSpentAsync"/> of this store does not count its own
/// unused lease; another process's unused lease counts as reserved (at most about headroom / 64 of the budget per
/// process, as it was when the lease was taken), so near the limit another process may be refused while this one still
/// holds a few requests' worth, until it uses them or gives them back. When an outage begins the leases are dropped, not
/// given back: their remainders stay counted in Redis until the window ends (too much, never too little), and no lease is
/// taken or used while the store counts locally.
/// </para>
/// </remarks>
public sealed partial class RedisBudgetStore : IBudgetStore, IAsyncDisposable, IDisposable
{
    /// <summary>The smallest amount the store tells apart: 10^-12.</summary>
    public const decimal Precision = 0.000_000_000_001m;

    /// <summary>The largest amount a counter, a limit, an estimate or a cost may have: (2^63 - 1) × 10^-12.</summary>
    public const decimal MaxAmount = 9_223_372.036_854_775_807m;

    private const decimal UnitsPerOne = 1_000_000_000_000m;

    // ARGV: amount, limit - amount (whole units), window end (Unix ms), amount with a lease, limit - that. Returns {granted,
    // spent before, whether the lease was taken}: the lease when it fits, else the amount alone when that fits. The
    // comparisons are on the digits, since Lua numbers are doubles and lose whole units beyond 2^53.
    private const string ReserveScript = """
        local function greater(a, b)
          local na, nb = string.sub(a, 1, 1) == '-', string.sub(b, 1, 1) == '-'
          if na ~= nb then return nb end
          if na then a, b = string.sub(b, 2), string.sub(a, 2) end
          if #a ~= #b then return #a > #b end
          return a > b
        end
        local spent = redis.call('GET', KEYS[1]) or '0'
        if greater(spent, ARGV[2]) then return {0, spent, 0} end
        local add, leased = ARGV[1], 0
        if ARGV[4] ~= ARGV[1] and not greater(spent, ARGV[5]) then add, leased = ARGV[4], 1 end
        redis.call('INCRBY', KEYS[1], add)
        redis.call('PEXPIREAT', KEYS[1], ARGV[3])
        return {1, spent, leased}
        """;

    // ARGV: pairs of delta (whole units) and window end (Unix ms), applied in order. Each sum floors at 0; a sum beyond a
    // 64-bit integer saturates.
    private const string AddScript = """
        for i = 1, #ARGV, 2 do
          local v = redis.pcall('INCRBY', KEYS[1], ARGV[i])
          if type(v) == 'table' then
            redis.call('SET', KEYS[1], '9223372036854775807')
          elseif v < 0 then
            redis.call('SET', KEYS[1], '0')
          end
          redis.call('PEXPIREAT', KEYS[1], ARGV[i + 1])
        end
        return 1
        """;

    /// <summary>How many settlements may wait to be applied before <see cref="SettleAsync"/> waits for room.</summary>
    private const int QueueCapacity = 4096;

    /// <summary>The most settlements applied in one batch.</summary>
    private const int MaxBatch = 256;

    private readonly CompatRedisConnection _connection;
    private readonly ILogger _logger;
    private readonly InMemoryBudgetStore _local = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _localCounters = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _moving = new(1, 1);
    private readonly Channel<Settlement> _queue = Channel.CreateBounded<Settlement>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Task _applying;
    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly Lock _sweeperGate = new();
    private readonly TimeProvider _timeProvider;
    private readonly bool _leasing;
    private readonly TimeSpan _leaseIdleTime;
    private readonly long _leaseDivisor;
    private readonly long _maxLeaseRequests;
    private ITimer? _sweeper;
    private long _queued;
    private int _outage;
    private int _disposed;

    /// <summary>Creates the store over <paramref name="connection"/>.</summary>
    /// <param name="connection">The Redis connection (its key prefix is shared by every process that should share budgets).</param>
    /// <param name="options">The store's options (leases). Default: <see cref="CompatRedisBudgetOptions"/>'s defaults.</param>
    /// <param name="logger">The logger for outages and recoveries. Default: none.</param>
    /// <param name="timeProvider">The clock that gives unused leases back. Default: <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public RedisBudgetStore(CompatRedisConnection connection, IOptions<CompatRedisBudgetOptions>? options = null, ILogger<RedisBudgetStore>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var value = options?.Value ?? new CompatRedisBudgetOptions();
        value.Validate();
        _connection = connection;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _leasing = value.Leases;
        _leaseIdleTime = value.LeaseIdleTime;
        _leaseDivisor = value.LeaseDivisor;
        _maxLeaseRequests = value.MaxLeaseRequests;
        _applying = Task.Run(ApplyQueuedAsync);
    }

    /// <summary>Gets whether the store is counting in this process alone because Redis was unreachable at its last use.</summary>
    public bool IsLocal => Volatile.Read(ref _outage) == 1;

    /// <inheritdoc />
    /// <remarks>
    /// Granted from this process's lease of the counter without a Redis call when the lease holds the amount (see the
    /// remarks of <see cref="RedisBudgetStore"/>); then <see cref="BudgetReservation.Spent"/> is what this process last
    /// knew of the counter, plus what it granted since.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative, or an amount is beyond <see cref="MaxAmount"/>.</exception>
    public async ValueTask<BudgetReservation> TryReserveAsync(string counter, decimal amount, decimal limit, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        cancellationToken.ThrowIfCancellationRequested();
        long units = ToUnits(amount, roundUp: true, nameof(amount));
        long limitUnits = ToUnits(limit, roundUp: false, nameof(limit));

        // A zero amount is never leased: it is admitted only while the shared counter is below the limit, which only Redis knows.
        bool leasing = _leasing && units > 0 && Volatile.Read(ref _outage) == 0 && Volatile.Read(ref _disposed) == 0;
        long folded = 0;
        long extra = 0;
        if (leasing && TryTakeFromLease(counter, units, limitUnits, expiresAt, out var fromLease, out folded, out extra))
        {
            return fromLease;
        }

        if (await TryRedisAsync().ConfigureAwait(false) is { } database)
        {
            try
            {
                // What this process already holds of the counter (folded) is part of the amount; the rest is asked of Redis,
                // with the lease's extra when it fits, so near the limit this is exactly a reservation of the amount.
                long ask = units - folded;
                var result = (RedisResult[])(await database.ScriptEvaluateAsync(
                    ReserveScript,
                    [Key(counter)],
                    [ask, limitUnits - ask, expiresAt.ToUnixTimeMilliseconds(), ask + extra, limitUnits - ask - extra]).ConfigureAwait(false))!;
                bool granted = (long)result[0] == 1;
                long spent = long.Parse((string)result[1]!, CultureInfo.InvariantCulture);
                long leased = (long)result[2] == 1 ? extra : 0;
                EndOutage();
                long held = _leasing
                    ? MergeLease(counter, limitUnits, expiresAt, create: leasing && granted, add: granted ? leased : folded, redisSpent: granted ? spent + ask + leased : spent)
                    : 0;
                return new BudgetReservation(granted, FromUnits(Math.Max(0, spent - folded - held)));
            }
            catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
            {
                // What was folded stays counted in Redis (the leases are dropped with the outage).
                BeginOutage(ex);
            }
        }

        var local = await _local.TryReserveAsync(counter, amount, limit, expiresAt, cancellationToken).ConfigureAwait(false);
        _localCounters[counter] = expiresAt;
        return local;
    }

    /// <summary>
    /// Queues the replacement of a reservation with what the request really cost (adds <paramref name="actual"/> minus
    /// <paramref name="reserved"/>; 0 releases it) and returns: the counter changes in the background, in the order
    /// settlements were queued (see the remarks of <see cref="RedisBudgetStore"/>). Waits only while the queue is full.
    /// After the store is disposed, the settlement is applied before this returns.
    /// </summary>
    /// <param name="counter">The counter key.</param>
    /// <param name="reserved">The amount reserved before the call.</param>
    /// <param name="actual">The real cost.</param>
    /// <param name="expiresAt">When the counter's window ends.</param>
    /// <param name="cancellationToken">Not used: a settlement, once asked for, is always made (the request was already answered).</param>
    /// <returns>A task that completes when the settlement is queued.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An amount is negative.</exception>
    public async ValueTask SettleAsync(string counter, decimal reserved, decimal actual, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentOutOfRangeException.ThrowIfNegative(reserved);
        ArgumentOutOfRangeException.ThrowIfNegative(actual);
        // A cost beyond what a counter holds counts as the most it holds (the request was served: settling must not fail it).
        long delta = ToUnits(Math.Min(actual, MaxAmount), roundUp: true, nameof(actual)) - ToUnits(Math.Min(reserved, MaxAmount), roundUp: true, nameof(reserved));
        var settlement = new Settlement(counter, delta, reserved, actual, expiresAt, Flushed: null, RedisOnly: false);
        if (await EnqueueAsync(settlement).ConfigureAwait(false))
        {
            return;
        }

        // The store is disposed: nothing drains the queue any more, so this one is applied here.
        await ApplyAsync([settlement]).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives back what this process's leases hold unused and waits until that and every settlement queued by
    /// <see cref="SettleAsync"/> before this call are applied (in Redis, or in this process while Redis is unreachable),
    /// so that another process reading the counters sees them.
    /// </summary>
    /// <param name="cancellationToken">Stops the waiting (not the settlements).</param>
    /// <returns>A task that completes when the settlements are applied.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        foreach (var giveBack in CloseLeases())
        {
            await EnqueueAsync(giveBack).ConfigureAwait(false);
        }

        await FlushQueueAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives back what this process's leases hold unused, stops taking settlements into the queue and waits until the
    /// queued ones are applied.
    /// </summary>
    /// <returns>A task that completes when the queue is empty.</returns>
    public async ValueTask DisposeAsync()
    {
        StopLeasing();
        foreach (var giveBack in CloseLeases())
        {
            await EnqueueAsync(giveBack).ConfigureAwait(false);
        }

        _queue.Writer.TryComplete();
        await _applying.ConfigureAwait(false);
    }

    /// <summary>
    /// Queues what this process's leases hold unused to be given back and stops taking settlements into the queue; the
    /// queued ones are still applied in the background (use <see cref="DisposeAsync"/> to wait for them).
    /// </summary>
    public void Dispose()
    {
        StopLeasing();
        foreach (var giveBack in CloseLeases())
        {
            TryEnqueue(giveBack);
        }

        _queue.Writer.TryComplete();
    }

    /// <inheritdoc />
    public async ValueTask<decimal> GetSpentAsync(string counter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counter);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Read(ref _queued) > 0)
        {
            // What this process settled is read back, as it would be without the queue.
            await FlushQueueAsync(cancellationToken).ConfigureAwait(false);
        }

        if (await TryRedisAsync().ConfigureAwait(false) is { } database)
        {
            try
            {
                var value = await database.StringGetAsync(Key(counter)).ConfigureAwait(false);
                EndOutage();
                // This process's unused leases are not spent (another process's are counted as reserved).
                return value.IsNull ? 0m : FromUnits(Math.Max(0, (long)value - HeldByLease(counter)));
            }
            catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
            {
                BeginOutage(ex);
            }
        }

        return await _local.GetSpentAsync(counter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Returns the database when Redis is connected, after adding to it what was counted locally during an outage;
    /// <see langword="null"/> (and the outage begun) when it is not reachable.
    /// </summary>
    private async ValueTask<IDatabase?> TryRedisAsync()
    {
        if (!_connection.IsConnected)
        {
            BeginOutage(null);
            return null;
        }

        var database = _connection.Multiplexer.GetDatabase();
        if (_localCounters.IsEmpty)
        {
            return database;
        }

        // Every caller waits for the local counts to be moved, so that Redis never answers without them.
        await _moving.WaitAsync().ConfigureAwait(false);
        try
        {
            int moved = 0;
            foreach (var (counter, expiresAt) in _localCounters)
            {
                decimal amount = await _local.GetSpentAsync(counter).ConfigureAwait(false);
                if (amount > 0m)
                {
                    await AddAsync(database, counter, ToUnits(Math.Min(amount, MaxAmount), roundUp: true, nameof(amount)), expiresAt).ConfigureAwait(false);
                    await _local.SettleAsync(counter, amount, 0m, expiresAt).ConfigureAwait(false);
                    moved++;
                }

                // Removed first and checked again, so a local count made meanwhile is kept for the next move.
                _localCounters.TryRemove(counter, out _);
                if (await _local.GetSpentAsync(counter).ConfigureAwait(false) > 0m)
                {
                    _localCounters[counter] = expiresAt;
                }
            }

            if (moved > 0)
            {
                LogMoved(_logger, moved);
            }

            return database;
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            BeginOutage(ex);
            return null;
        }
        finally
        {
            _moving.Release();
        }
    }

    private Task<RedisResult> AddAsync(IDatabase database, string counter, long delta, DateTimeOffset expiresAt) =>
        database.ScriptEvaluateAsync(AddScript, [Key(counter)], [delta, expiresAt.ToUnixTimeMilliseconds()]);

    /// <summary>Queues a settlement (or a flush marker); returns <see langword="false"/> when the store is disposed.</summary>
    private async ValueTask<bool> EnqueueAsync(Settlement settlement)
    {
        Interlocked.Increment(ref _queued);
        if (_queue.Writer.TryWrite(settlement))
        {
            return true;
        }

        try
        {
            // The queue is full: wait for room (a settlement is never dropped).
            await _queue.Writer.WriteAsync(settlement, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            Interlocked.Decrement(ref _queued);
            return false;
        }
    }

    /// <summary>The one task that applies the queue, a batch at a time, until the store is disposed and the queue is empty.</summary>
    private async Task ApplyQueuedAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Settlement>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await ApplyAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not a Redis failure (ApplyAsync goes local on those): a fault of this store. Logged; the loop goes on, so
                // that the queue never stops draining (a full queue would hold every later settlement).
                LogApplyFailed(_logger, batch.Count, ex);
            }
            finally
            {
                foreach (var item in batch)
                {
                    item.Flushed?.TrySetResult();
                }

                Interlocked.Add(ref _queued, -batch.Count);
                batch.Clear();
            }
        }
    }

    /// <summary>
    /// Applies settlements: in Redis, one script call per counter with its corrections in order, all sent before any
    /// answer is awaited; those Redis does not take are applied locally, as while it is unreachable.
    /// </summary>
    private async Task ApplyAsync(List<Settlement> settlements)
    {
        var byCounter = new Dictionary<string, List<Settlement>>(StringComparer.Ordinal);
        foreach (var settlement in settlements)
        {
            if (settlement.Flushed is not null)
            {
                continue;
            }

            if (!byCounter.TryGetValue(settlement.Counter, out var list))
            {
                byCounter[settlement.Counter] = list = [];
            }

            list.Add(settlement);
        }

        if (byCounter.Count == 0)
        {
            return;
        }

        var database = await TryRedisAsync().ConfigureAwait(false);
        var calls = new List<(List<Settlement> Settlements, Task<RedisResult>? Call)>(byCounter.Count);
        foreach (var (counter, list) in byCounter)
        {
            Task<RedisResult>? call = null;
            if (database is not null)
            {
                var values = new RedisValue[list.Count * 2];
                for (int i = 0; i < list.Count; i++)
                {
                    values[2 * i] = list[i].Delta;
                    values[(2 * i) + 1] = list[i].ExpiresAt.ToUnixTimeMilliseconds();
                }

                call = database.ScriptEvaluateAsync(AddScript, [Key(counter)], values);
            }

            calls.Add((list, call));
        }

        foreach (var (list, call) in calls)
        {
            if (call is not null)
            {
                try
                {
                    await call.ConfigureAwait(false);
                    EndOutage();
                    continue;
                }
                catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
                {
                    BeginOutage(ex);
                }
            }

            foreach (var settlement in list)
            {
                if (settlement.RedisOnly)
                {
                    // A lease given back: it stays counted in Redis (too much, never too little).
                    continue;
                }

                await _local.SettleAsync(settlement.Counter, settlement.Reserved, settlement.Actual, settlement.ExpiresAt).ConfigureAwait(false);
                _localCounters[settlement.Counter] = settlement.ExpiresAt;
            }
        }
    }

    /// <summary>Waits until every settlement queued before this call is applied.</summary>
    private async Task FlushQueueAsync(CancellationToken cancellationToken)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (await EnqueueAsync(new Settlement(string.Empty, 0, 0m, 0m, default, flushed, RedisOnly: false)).ConfigureAwait(false))
        {
            await flushed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _applying.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Grants <paramref name="units"/> from this process's lease of the counter when it holds them. Otherwise takes what
    /// the lease holds (<paramref name="folded"/>, part of the amount asked of Redis) and sizes the lease to ask for with it
    /// (<paramref name="extra"/>, beyond the amount) from what this process last knew of the counter's headroom.
    /// </summary>
    private bool TryTakeFromLease(string counter, long units, long limitUnits, DateTimeOffset expiresAt, out BudgetReservation granted, out long folded, out long extra)
    {
        granted = default;
        folded = 0;
        extra = 0;
        if (!_leases.TryGetValue(counter, out var lease))
        {
            // Nothing known of the counter yet: the first call asks for the amount alone.
            return false;
        }

        lock (lease.Gate)
        {
            if (!lease.Matches(limitUnits, expiresAt))
            {
                return false;
            }

            if (lease.Remaining >= units)
            {
                granted = new BudgetReservation(true, FromUnits(Math.Max(0, lease.RedisSpent - lease.Remaining)));
                lease.Remaining -= units;
                lease.LastUsed = _timeProvider.GetTimestamp();
                return true;
            }

            folded = lease.Remaining;
            lease.Remaining = 0;

            // k = headroom after this request / (amount × divisor), 1 to the most; the extra is k - 1 amounts.
            long headroom = lease.LimitUnits - lease.RedisSpent;
            if (headroom > units)
            {
                long k = Math.Clamp((headroom - (units - folded)) / units / _leaseDivisor, 1, _maxLeaseRequests);
                extra = (k - 1) * units;
            }

            return false;
        }
    }

    /// <summary>
    /// Puts what Redis answered into the counter's lease (created when <paramref name="create"/>): <paramref name="add"/>
    /// units (the lease taken, or what was folded and not used) and what Redis now holds. Units that no lease can take are
    /// given back to Redis. Returns what the lease held before.
    /// </summary>
    private long MergeLease(string counter, long limitUnits, DateTimeOffset expiresAt, bool create, long add, long redisSpent)
    {
        // Once the store is disposing, nothing would give a new lease back.
        create &= Volatile.Read(ref _disposed) == 0;
        while (true)
        {
            Lease? lease;
            if (create)
            {
                lease = _leases.GetOrAdd(counter, static (_, state) => new Lease(state.ExpiresAt, state.LimitUnits), (ExpiresAt: expiresAt, LimitUnits: limitUnits));
                EnsureSweeper();
            }
            else if (!_leases.TryGetValue(counter, out lease))
            {
                GiveBack(counter, add, expiresAt);
                return 0;
            }

            long stale = 0;
            lock (lease.Gate)
            {
                if (lease.Matches(limitUnits, expiresAt))
                {
                    long before = lease.Remaining;
                    lease.Remaining += add;
                    lease.RedisSpent = redisSpent;
                    lease.LastUsed = _timeProvider.GetTimestamp();
                    return before;
                }

                if (!lease.Closed)
                {
                    // Taken for another window end or limit (the budget changed): replaced, its remainder given back.
                    lease.Closed = true;
                    stale = lease.Remaining;
                    lease.Remaining = 0;
                }
            }

            _leases.TryRemove(KeyValuePair.Create(counter, lease));
            GiveBack(counter, stale, lease.ExpiresAt);
            if (!create)
            {
                GiveBack(counter, add, expiresAt);
                return 0;
            }
        }
    }

    /// <summary>Returns what this process's lease of the counter holds unused.</summary>
    private long HeldByLease(string counter)
    {
        if (!_leases.TryGetValue(counter, out var lease))
        {
            return 0;
        }

        lock (lease.Gate)
        {
            return lease.Closed ? 0 : lease.Remaining;
        }
    }

    /// <summary>Closes every lease and returns what they held as settlements that give it back to Redis.</summary>
    private List<Settlement> CloseLeases()
    {
        var giveBacks = new List<Settlement>();
        foreach (var (counter, lease) in _leases)
        {
            long remaining = 0;
            lock (lease.Gate)
            {
                if (!lease.Closed)
                {
                    lease.Closed = true;
                    remaining = lease.Remaining;
                    lease.Remaining = 0;
                }
            }

            _leases.TryRemove(KeyValuePair.Create(counter, lease));
            if (remaining > 0)
            {
                giveBacks.Add(GiveBackSettlement(counter, remaining, lease.ExpiresAt));
            }
        }

        return giveBacks;
    }

    /// <summary>
    /// Runs every <see cref="CompatRedisBudgetOptions.LeaseIdleTime"/>: gives back what leases unused for that long hold,
    /// and drops the leases of windows that ended (their Redis counters expire with them).
    /// </summary>
    private void Sweep()
    {
        if (_leases.IsEmpty)
        {
            return;
        }

        var now = _timeProvider.GetUtcNow();
        long timestamp = _timeProvider.GetTimestamp();
        foreach (var (counter, lease) in _leases)
        {
            long remaining = 0;
            bool drop;
            lock (lease.Gate)
            {
                drop = lease.Closed || lease.ExpiresAt <= now || _timeProvider.GetElapsedTime(lease.LastUsed, timestamp) >= _leaseIdleTime;
                if (drop && !lease.Closed)
                {
                    lease.Closed = true;
                    remaining = lease.ExpiresAt <= now ? 0 : lease.Remaining;
                    lease.Remaining = 0;
                }
            }

            if (drop)
            {
                _leases.TryRemove(KeyValuePair.Create(counter, lease));
                GiveBack(counter, remaining, lease.ExpiresAt);
            }
        }
    }

    private void EnsureSweeper()
    {
        if (Volatile.Read(ref _sweeper) is not null)
        {
            return;
        }

        lock (_sweeperGate)
        {
            if (_sweeper is null && Volatile.Read(ref _disposed) == 0)
            {
                Volatile.Write(ref _sweeper, _timeProvider.CreateTimer(static state => ((RedisBudgetStore)state!).Sweep(), this, _leaseIdleTime, _leaseIdleTime));
            }
        }
    }

    /// <summary>Stops granting from leases and taking new ones (the store is being disposed).</summary>
    private void StopLeasing()
    {
        Volatile.Write(ref _disposed, 1);
        lock (_sweeperGate)
        {
            _sweeper?.Dispose();
        }
    }

    /// <summary>
    /// Queues <paramref name="units"/> of a lease to be given back to Redis; when the queue is full or closed they stay
    /// counted there (too much, never too little).
    /// </summary>
    private void GiveBack(string counter, long units, DateTimeOffset expiresAt)
    {
        if (units > 0)
        {
            TryEnqueue(GiveBackSettlement(counter, units, expiresAt));
        }
    }

    private static Settlement GiveBackSettlement(string counter, long units, DateTimeOffset expiresAt) =>
        new(counter, -units, FromUnits(units), 0m, expiresAt, Flushed: null, RedisOnly: true);

    /// <summary>Queues a settlement without waiting; returns <see langword="false"/> when the queue is full or closed.</summary>
    private bool TryEnqueue(Settlement settlement)
    {
        Interlocked.Increment(ref _queued);
        if (_queue.Writer.TryWrite(settlement))
        {
            return true;
        }

        Interlocked.Decrement(ref _queued);
        return false;
    }

    private RedisKey Key(string counter) => _connection.Key("budget:" + counter);

    private void BeginOutage(Exception? error)
    {
        if (Interlocked.Exchange(ref _outage, 1) == 0)
        {
            LogOutage(_logger, error?.GetType().Name ?? "not connected", error);

            // The leases are dropped, not given back: their remainders stay counted in Redis until the window ends.
            _ = CloseLeases();
        }
    }

    private void EndOutage()
    {
        if (Interlocked.Exchange(ref _outage, 0) == 1)
        {
            LogRecovered(_logger);
        }
    }

    private static long ToUnits(decimal amount, bool roundUp, string name)
    {
        if (amount > MaxAmount || amount < -MaxAmount)
        {
            throw new ArgumentOutOfRangeException(name, amount, $"RedisBudgetStore holds amounts up to ±{MaxAmount.ToString(CultureInfo.InvariantCulture)} (whole multiples of 10^-12 in a 64-bit Redis integer); {amount.ToString(CultureInfo.InvariantCulture)} is beyond that.");
        }

        decimal units = amount * UnitsPerOne;
        return (long)(roundUp ? decimal.Ceiling(units) : decimal.Floor(units));
    }

    private static decimal FromUnits(long units) => units / UnitsPerOne;

    [LoggerMessage(1, LogLevel.Warning, "Budgets: Redis is unreachable ({Reason}); this process enforces every budget alone until it returns.")]
    private static partial void LogOutage(ILogger logger, string reason, Exception? error);

    [LoggerMessage(2, LogLevel.Information, "Budgets: Redis answers again; budgets are shared again.")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Budgets: added what this process counted during the Redis outage to {Count} shared counters.")]
    private static partial void LogMoved(ILogger logger, int count);

    [LoggerMessage(4, LogLevel.Error, "Budgets: {Count} queued settlements could not be applied.")]
    private static partial void LogApplyFailed(ILogger logger, int count, Exception error);

    /// <summary>
    /// A queued settlement, or (with <paramref name="Flushed"/>) a marker completed once everything before it is applied;
    /// <paramref name="RedisOnly"/> for a lease given back, which is dropped when Redis does not take it.
    /// </summary>
    private sealed record Settlement(string Counter, long Delta, decimal Reserved, decimal Actual, DateTimeOffset ExpiresAt, TaskCompletionSource? Flushed, bool RedisOnly);

    /// <summary>
    /// Units of one counter reserved in Redis by this process and not yet granted. Every field is read and written under
    /// <see cref="Gate"/>; a closed lease is out of the dictionary (or about to be) and holds nothing.
    /// </summary>
    private sealed class Lease(DateTimeOffset expiresAt, long limitUnits)
    {
        public readonly Lock Gate = new();
        public readonly DateTimeOffset ExpiresAt = expiresAt;
        public readonly long LimitUnits = limitUnits;

        /// <summary>Reserved in Redis and not granted yet.</summary>
        public long Remaining;

        /// <summary>What the Redis counter held (with <see cref="Remaining"/>) after this process's last call on it.</summary>
        public long RedisSpent;

        /// <summary>When the lease last granted or got units (a <see cref="TimeProvider"/> timestamp).</summary>
        public long LastUsed;

        public bool Closed;

        public bool Matches(long limit, DateTimeOffset end) => !Closed && LimitUnits == limit && ExpiresAt == end;
    }
}
