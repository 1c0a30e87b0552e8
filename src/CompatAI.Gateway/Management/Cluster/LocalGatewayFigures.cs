namespace CompatAI.Gateway.Management.Cluster;

/// <summary>Single-process mode: the figures are this process's own aggregates, as they always were.</summary>
internal sealed class LocalGatewayFigures : IGatewayFigures
{
    private readonly GatewayManagementState _state;

    public LocalGatewayFigures(GatewayManagementState state) => _state = state;

    public ValueTask<FiguresRead<IStatsView>> ReadStatsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new FiguresRead<IStatsView>(_state.Stats, null));

    public ValueTask<FiguresRead<IReadOnlyList<LedgerRow>>> ReadLedgerAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new FiguresRead<IReadOnlyList<LedgerRow>>(_state.Ledger.Snapshot(), null));
}
