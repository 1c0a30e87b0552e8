namespace CompatAI.Gateway.Management;

/// <summary>
/// Fixed log-scale bins for durations: bin <c>i</c> holds values up to <c>1 ms × 1.25^i</c> (64 bins, up to about 21
/// minutes; longer values land in the last bin). A percentile is reported as its bin's upper bound, so it is at most 25%
/// above the true value and never below it.
/// </summary>
internal static class LogHistogram
{
    public const int Bins = 64;
    private const double Growth = 1.25;
    private static readonly double s_logGrowth = Math.Log(Growth);
    private static readonly double[] s_upperMs = [.. Enumerable.Range(0, Bins).Select(i => Math.Pow(Growth, i))];

    public static int BinOf(double milliseconds)
    {
        if (!(milliseconds > 1))
        {
            return 0;
        }

        var bin = (int)Math.Ceiling(Math.Log(milliseconds) / s_logGrowth - 1e-9);
        return Math.Min(bin, Bins - 1);
    }

    public static double UpperBoundMs(int bin) => s_upperMs[bin];

    /// <summary>The value at quantile <paramref name="q"/> (0..1) of the summed bins, or <see langword="null"/> without samples.</summary>
    public static double? Quantile(ReadOnlySpan<long> bins, long count, double q)
    {
        if (count <= 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * count));
        long seen = 0;
        for (var i = 0; i < bins.Length; i++)
        {
            seen += bins[i];
            if (seen >= rank)
            {
                return s_upperMs[i];
            }
        }

        return s_upperMs[^1];
    }
}
