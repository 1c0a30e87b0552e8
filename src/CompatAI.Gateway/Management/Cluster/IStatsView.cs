namespace CompatAI.Gateway.Management.Cluster;

/// <summary>Per provider and model figures in 15-second buckets, as the performance endpoint reads them.</summary>
internal interface IStatsView
{
    /// <summary>Gets the provider and model pairs that have figures, ordered.</summary>
    IReadOnlyList<(string Provider, string Model)> Keys { get; }

    /// <summary>Sums the last <paramref name="buckets"/> buckets (the current one included) of the matching series.</summary>
    WindowFigures Window(int buckets, string? provider = null, string? model = null);

    /// <summary>Per bucket of the last <paramref name="buckets"/> buckets, the provider's figures over all its models (oldest first).</summary>
    IReadOnlyList<(long Slot, WindowFigures Figures)> Timeline(string provider, int buckets);
}
