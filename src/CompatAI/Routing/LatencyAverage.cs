namespace CompatAI;

/// <summary>The decaying latency average kept per route, locally by <see cref="RouterRoute"/> and shared by route state stores.</summary>
internal static class LatencyAverage
{
    /// <summary>The least weight of one observation, so a change shows within a few requests.</summary>
    public const double MinimumWeight = 0.3;

    /// <summary>Returns the weight of an observation made <paramref name="elapsedTicks"/> after the previous one: half after one half-life.</summary>
    public static double Weight(long elapsedTicks, double halfLifeTicks) =>
        Math.Max(MinimumWeight, 1 - Math.Pow(2, -Math.Max(0, elapsedTicks) / halfLifeTicks));

    /// <summary>Returns the average after <paramref name="observed"/>; <paramref name="previous"/> is <see cref="double.NaN"/> for the first.</summary>
    public static double Next(double previous, double observed, double weight) =>
        double.IsNaN(previous) ? observed : previous + (weight * (observed - previous));
}
