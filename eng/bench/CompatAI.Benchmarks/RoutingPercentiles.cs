using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace CompatAI.Benchmarks;

/// <summary>
/// Percentiles of single routing decisions over 10 candidates (issue 9: p99 under 10 µs), which BenchmarkDotNet's
/// per-iteration means do not give: after a warm-up, each of 1,000,000 decisions is timed on its own with
/// <see cref="Stopwatch.GetTimestamp"/> (the two timestamp reads, about 20-40 ns, are inside every sample) into a
/// preallocated array, then sorted for p50/p99/p99.9/max. Allocation per decision is
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> over the timed loop divided by the count (the array is allocated
/// before). Two shapes per strategy: the whole decision (reading the request, then ranking, which measures the prompt
/// only as far as the strategy needs: its UTF-8 bound for the context windows, its size estimate when a priced cost is
/// estimated, its token count only when the bound does not fit a window) and the ranking alone over a request read and measured once. The result of a decision is the ranking
/// (one array of candidate and score); anything else it allocates is counted against it. Run with <c>-- --routing-p99</c>.
/// </summary>
internal static class RoutingPercentiles
{
    public static void Run(int decisions, int warmup)
    {
        var messages = RoutingDecisionBenchmarks.Messages();
        var options = new RouterOptions();
        var samples = new long[decisions];
        Console.WriteLine($"{decisions:N0} timed decisions after {warmup:N0} warm-up ones, 10 candidates; Stopwatch frequency {Stopwatch.Frequency:N0}/s");
        Console.WriteLine("| Strategy | What is timed | p50 | p99 | p99.9 | max | mean | allocated per decision |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var strategy in new[] { RoutingStrategy.Cost, RoutingStrategy.Latency, RoutingStrategy.Balanced, RoutingStrategy.RoundRobin })
        {
            using var router = RoutingDecisionBenchmarks.CreateRouter(strategy);
            Measure(strategy, "read + rank", samples, warmup, () =>
            {
                var needs = RouteNeeds.Read(messages, null, options);
                return router.Plan(ref needs, explain: false).Ranked;
            });

            // Read once, its prompt bound, size estimate and count made once: what remains is the ranking.
            var read = RouteNeeds.Read(messages, null, options);
            read.Fits(int.MaxValue);
            read.PricedPromptTokens();
            read.PromptTokens();
            Measure(strategy, "rank only", samples, warmup, () =>
            {
                var needs = read;
                return router.Plan(ref needs, explain: false).Ranked;
            });
        }
    }

    private static void Measure(RoutingStrategy strategy, string what, long[] samples, int warmup, Func<object> decide)
    {
        for (int i = 0; i < warmup; i++)
        {
            decide();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < samples.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            decide();
            samples[i] = Stopwatch.GetTimestamp() - start;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        double mean = samples.Average();
        Array.Sort(samples);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {strategy} | {what} | {Micros(Percentile(samples, 0.50))} | {Micros(Percentile(samples, 0.99))} | {Micros(Percentile(samples, 0.999))} | {Micros(samples[^1])} | {Micros(mean)} | {allocated / (double)samples.Length:0} B |"));
    }

    private static long Percentile(long[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Micros(double ticks) => string.Create(CultureInfo.InvariantCulture, $"{ticks * 1_000_000.0 / Stopwatch.Frequency:0.00} µs");
}
