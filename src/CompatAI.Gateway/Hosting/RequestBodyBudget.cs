using System.Threading.RateLimiting;

namespace CompatAI.Gateway.Hosting;

/// <summary>
/// Bounds how many request-body bytes the gateway holds at once
/// (<see cref="Configuration.GatewayLimitsOptions.MaxBufferedRequestBodyBytes"/>). A request reserves its body's size
/// before reading it and keeps the reservation until its response is complete, because the parsed messages and the
/// upstream request built from them live that long; requests that do not fit wait, oldest first. Built on
/// <see cref="ConcurrencyLimiter"/> from <c>System.Threading.RateLimiting</c>, counting permits in KiB.
/// </summary>
internal sealed class RequestBodyBudget : IDisposable
{
    private const long PermitBytes = 1024;
    private const long LargeBodyBytes = 1024 * 1024;
    private readonly ConcurrencyLimiter _limiter;
    private long _releasedSinceCollection;
    private long _inUse;

    public RequestBodyBudget(long maxBytes)
    {
        MaxBytes = maxBytes;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Permits(maxBytes),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Gets the most body bytes held at once.</summary>
    public long MaxBytes { get; }

    /// <summary>Waits until <paramref name="bytes"/> (at most <see cref="MaxBytes"/>) fit; dispose the result to give them back.</summary>
    public async ValueTask<IDisposable> AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        bytes = Math.Min(bytes, MaxBytes);
        var lease = await _limiter.AcquireAsync(Permits(bytes), cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            // The queue is unbounded, so this only happens while the gateway shuts down.
            lease.Dispose();
            throw new OperationCanceledException("The request body budget is closed.");
        }

        Interlocked.Add(ref _inUse, bytes);
        return new Reservation(this, lease, bytes);
    }

    /// <summary>
    /// Large bodies die in the large object heap, which the GC collects only in a full collection, and it starts one only
    /// when something allocates enough: after a burst of large requests their garbage could stay resident indefinitely,
    /// and during one it piles up faster than the GC's own schedule returns it. So once released large reservations add
    /// up to a quarter of the budget, or the last one in flight is released, one background full collection returns
    /// that memory to the operating system. Small bodies never cause a collection.
    /// </summary>
    private void Released(long bytes)
    {
        var inUse = Interlocked.Add(ref _inUse, -bytes);
        var pending = bytes >= LargeBodyBytes
            ? Interlocked.Add(ref _releasedSinceCollection, bytes)
            : Interlocked.Read(ref _releasedSinceCollection);
        if (pending > 0 && (pending >= MaxBytes / 4 || inUse == 0) && Interlocked.CompareExchange(ref _releasedSinceCollection, 0, pending) == pending)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static _ => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true), null);
        }
    }

    public void Dispose()
    {
        _limiter.Dispose();
    }

    private sealed class Reservation(RequestBodyBudget budget, RateLimitLease lease, long bytes) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                lease.Dispose();
                budget.Released(bytes);
            }
        }
    }

    private static int Permits(long bytes) => (int)Math.Clamp((bytes + PermitBytes - 1) / PermitBytes, 1, int.MaxValue);
}
