namespace CompatAI.Gateway.Management.Cluster;

/// <summary>
/// Where <c>/v1/performance</c>, <c>/v1/analytics</c> and the dashboard read their figures: this process's aggregates in
/// single-process mode, or the sum over every replica when they share state through Redis.
/// </summary>
internal interface IGatewayFigures
{
    /// <summary>Reads the performance figures.</summary>
    ValueTask<FiguresRead<IStatsView>> ReadStatsAsync(CancellationToken cancellationToken);

    /// <summary>Reads the usage ledger's rows for the current day and month.</summary>
    ValueTask<FiguresRead<IReadOnlyList<LedgerRow>>> ReadLedgerAsync(CancellationToken cancellationToken);
}

/// <summary>Figures and what they cover.</summary>
/// <param name="Figures">The figures.</param>
/// <param name="Scope">
/// <see langword="null"/> in single-process mode; otherwise <see cref="FiguresScope.Cluster"/> (every replica) or
/// <see cref="FiguresScope.Local"/> (this replica only, with the reason).
/// </param>
internal sealed record FiguresRead<T>(T Figures, FiguresScope? Scope);

/// <summary>What figures cover when replicas share state.</summary>
/// <param name="Scope"><c>cluster</c> or <c>local</c>.</param>
/// <param name="Note">Why the figures are this replica's only, when they are.</param>
internal sealed record FiguresScope(string Scope, string? Note)
{
    public static readonly FiguresScope Cluster = new("cluster", null);

    public static FiguresScope Local(string note) => new("local", note);
}
