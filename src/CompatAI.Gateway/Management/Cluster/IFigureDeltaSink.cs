namespace CompatAI.Gateway.Management.Cluster;

/// <summary>Receives every change this replica makes to its own figures, to share them with the other replicas.</summary>
internal interface IFigureDeltaSink
{
    /// <summary>A change to the bucket <paramref name="slot"/> of a provider and model's series.</summary>
    void Stats(string provider, string model, long slot, in ProviderStatsStore.Change change);

    /// <summary>Usage added to a ledger row in the day and month that start at <paramref name="periods"/>.</summary>
    void Usage(string provider, string model, string client, (DateTimeOffset Day, DateTimeOffset Month) periods, long requests, long inputTokens, long outputTokens, string? currency, double cost);
}
