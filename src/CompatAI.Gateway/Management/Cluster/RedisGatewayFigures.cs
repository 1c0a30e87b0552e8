using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CompatAI.Gateway.Management.Cluster;

/// <summary>
/// Replicas sharing state through Redis: every <see cref="GatewayManagementOptions.ClusterFlushInterval"/> this replica
/// sends the changes to its figures (<see cref="FigureDeltas"/>) to Redis in one idempotent batch, and the endpoints read
/// every replica's figures from Redis plus this replica's not yet sent ones. While Redis is unreachable nothing is sent and
/// the changes stay pending (bounded, see <see cref="FigureDeltas"/>) until it returns; a batch whose sending failed is sent
/// again with the same id first. The endpoints then answer with this replica's own figures, marked <c>local</c>. A request
/// never waits for Redis: sending happens in the background, and each read is bounded by the connection's operation timeout.
/// </summary>
internal sealed partial class RedisGatewayFigures : BackgroundService, IGatewayFigures
{
    private readonly CompatRedisConnection _connection;
    private readonly RedisFigureStore _store;
    private readonly FigureDeltas _deltas;
    private readonly GatewayManagementState _state;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<RedisGatewayFigures> _logger;
    private FigureBatch? _unsent;

    public RedisGatewayFigures(CompatRedisConnection connection, FigureDeltas deltas, GatewayManagementState state, IOptions<GatewayManagementOptions> options, TimeProvider time, ILogger<RedisGatewayFigures> logger)
    {
        _connection = connection;
        _store = new RedisFigureStore(connection);
        _deltas = deltas;
        _state = state;
        _time = time;
        _interval = options.Value.ClusterFlushInterval;
        _logger = logger;
    }

    public async ValueTask<FiguresRead<IStatsView>> ReadStatsAsync(CancellationToken cancellationToken)
    {
        if (!_connection.IsConnected)
        {
            return new(_state.Stats, Unreachable);
        }

        var now = _state.Stats.CurrentSlot;
        var table = new BucketTable(now);
        var unsent = Volatile.Read(ref _unsent);
        bool unsentAdded;
        try
        {
            unsentAdded = await _store.ReadStatsAsync(table, now, unsent?.Id).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex, cancellationToken))
        {
            LogReadFailed(_logger, ex.GetType().Name);
            return new(_state.Stats, Unreachable);
        }

        AddUnsent(unsent, unsentAdded, table, null);
        _deltas.AddPendingTo(table, null);
        return new(table, FiguresScope.Cluster);
    }

    public async ValueTask<FiguresRead<IReadOnlyList<LedgerRow>>> ReadLedgerAsync(CancellationToken cancellationToken)
    {
        if (!_connection.IsConnected)
        {
            return new(_state.Ledger.Snapshot(), Unreachable);
        }

        var periods = _state.Ledger.Periods;
        var table = new LedgerTable(periods);
        var unsent = Volatile.Read(ref _unsent);
        bool unsentAdded;
        try
        {
            unsentAdded = await _store.ReadLedgerAsync(table, periods, unsent?.Id).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex, cancellationToken))
        {
            LogReadFailed(_logger, ex.GetType().Name);
            return new(_state.Ledger.Snapshot(), Unreachable);
        }

        AddUnsent(unsent, unsentAdded, null, table);
        _deltas.AddPendingTo(null, table);
        return new(table.Rows(), FiguresScope.Cluster);
    }

    /// <summary>
    /// Adds the batch that was being sent when the read began, unless Redis had added it before the read (its marker was
    /// read in the same transaction): so it is counted exactly once, even when its sending completes while the read is on
    /// its way. A batch taken for sending after the read began may be missed by this one read (never counted twice).
    /// </summary>
    private static void AddUnsent(FigureBatch? unsent, bool addedInRedis, BucketTable? stats, LedgerTable? ledger)
    {
        if (unsent is not null && !addedInRedis)
        {
            unsent.AddTo(stats, ledger);
        }
    }

    /// <summary>Sends what is pending, if Redis is reachable; returns whether nothing is left unsent.</summary>
    internal async Task<bool> FlushAsync()
    {
        if (!_connection.IsConnected)
        {
            return false;
        }

        var batch = Volatile.Read(ref _unsent) ?? _deltas.Take();
        if (batch is null)
        {
            return true;
        }

        Volatile.Write(ref _unsent, batch);
        try
        {
            await _store.AddAsync(batch).ConfigureAwait(false);
        }
        catch (RedisServerException ex)
        {
            // Redis refused the batch itself (not a connection problem): sending it again would fail the same way.
            LogBatchRefused(_logger, ex.GetType().Name);
            Volatile.Write(ref _unsent, null);
            return false;
        }
        catch (Exception ex) when (RedisFailure.Is(ex, CancellationToken.None))
        {
            // Kept, and sent again with the same id: if it did arrive, the marker makes the second sending a no-op.
            LogSendFailed(_logger, ex.GetType().Name);
            return false;
        }

        Volatile.Write(ref _unsent, null);
        return true;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // A last sending on a graceful shutdown, so that this replica's final figures are not lost (bounded by the timeout).
        if (await FlushAsync().ConfigureAwait(false))
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                // An unsent batch first, then what was recorded since.
                if (await FlushAsync().ConfigureAwait(false) && Volatile.Read(ref _unsent) is null)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped(_logger);
        }
    }

    private static FiguresScope Unreachable { get; } =
        FiguresScope.Local("Redis is not reachable: these are this replica's figures only. Its changes are kept and sent when Redis returns.");

    [LoggerMessage(1, LogLevel.Debug, "Could not send this replica's figures to Redis ({ErrorType}); they stay pending and are sent again.")]
    private static partial void LogSendFailed(ILogger logger, string errorType);

    [LoggerMessage(2, LogLevel.Debug, "Could not read the replicas' figures from Redis ({ErrorType}); answering with this replica's own.")]
    private static partial void LogReadFailed(ILogger logger, string errorType);

    [LoggerMessage(4, LogLevel.Warning, "Redis refused a batch of this replica's figures ({ErrorType}); it is dropped.")]
    private static partial void LogBatchRefused(ILogger logger, string errorType);

    [LoggerMessage(3, LogLevel.Debug, "Stopped sending figures to Redis.")]
    private static partial void LogStopped(ILogger logger);
}
