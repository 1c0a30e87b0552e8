using System.Diagnostics;
using System.Globalization;

namespace CompatAI.Benchmarks;

/// <summary>
/// A cross-check for machines too busy for BenchmarkDotNet's wall-clock means (run with <c>-- --interleaved</c>): the raw
/// SDK, bare <c>AsIChatClient()</c>, CompatAI's client and <c>CompatChatClient.Create</c> take turns in short rounds (the
/// starting client rotates each round), so all see the same background load, and each round records the process CPU
/// time as well as wall time. The medians over all rounds are printed per operation, with the CPU ratio against bare
/// <c>AsIChatClient()</c>.
/// </summary>
internal static class InterleavedComparison
{
    private const string Baseline = "AsIChatClient";

    public static async Task RunAsync(int rounds)
    {
        var benchmarks = new ChatClientOverheadBenchmarks();
        benchmarks.Setup();
        try
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Interleaved, {rounds} rounds per category, {Environment.ProcessorCount} cores, .NET {Environment.Version}; CPU ratio vs {Baseline}"));
            Console.WriteLine("| Category | Client | Median wall us/op | Median CPU us/op | CPU ratio | Allocated B/op |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|");
            await CompareAsync("NonStreaming", 100, rounds, benchmarks.NonStreamingOperations()).ConfigureAwait(false);
            await CompareAsync("Streaming", 5, rounds, benchmarks.StreamingOperations()).ConfigureAwait(false);
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    /// <summary>
    /// The same CPU-time check over <see cref="MiddlewareBreakdownBenchmarks"/>' I/O rows (run with
    /// <c>-- --interleaved-layers</c>): bare <c>AsIChatClient()</c>, plus wire repairs, plus CompatAI's client, each
    /// middleware alone over it, and the whole pipeline.
    /// </summary>
    public static async Task RunLayersAsync(int rounds)
    {
        var layers = new MiddlewareBreakdownBenchmarks();
        layers.Setup();
        try
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Interleaved layers, {rounds} rounds per category, {Environment.ProcessorCount} cores, .NET {Environment.Version}; CPU ratio vs {Baseline}"));
            Console.WriteLine("| Category | Layer | Median wall us/op | Median CPU us/op | CPU ratio | Allocated B/op |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|");
            await CompareAsync("NonStreaming", 100, rounds,
            [
                (Baseline, layers.AsIChatClient), ("WireRepairs", layers.WireRepairs), ("CompatClient", layers.Adapter),
                ("Sanitizer+CompatClient", layers.SanitizerOverAdapter), ("Reasoning+CompatClient", layers.ReasoningOverAdapter), ("Pipeline", layers.Pipeline),
            ]).ConfigureAwait(false);
            await CompareAsync("Streaming", 5, rounds,
            [
                (Baseline, layers.Streaming_AsIChatClient), ("WireRepairs", layers.Streaming_WireRepairs), ("CompatClient", layers.Streaming_Adapter),
                ("Sanitizer+CompatClient", layers.Streaming_SanitizerOverAdapter), ("Reasoning+CompatClient", layers.Streaming_ReasoningOverAdapter), ("Pipeline", layers.Streaming_Pipeline),
            ]).ConfigureAwait(false);
        }
        finally
        {
            layers.Cleanup();
        }
    }

    /// <summary>
    /// The same CPU-time check over <see cref="FailoverBenchmarks"/> (run with <c>-- --failover-interleaved</c>): the second
    /// candidate alone (baseline) against the router and the fixed chain whose first candidate answers 500 or 429 at once.
    /// </summary>
    public static async Task RunFailoverAsync(int rounds)
    {
        var failover = new FailoverBenchmarks();
        failover.Setup();
        try
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Interleaved failover, {rounds} rounds, {Environment.ProcessorCount} cores, .NET {Environment.Version}; CPU ratio vs SecondDirectly"));
            Console.WriteLine("| Category | Client | Median wall us/op | Median CPU us/op | CPU ratio | Allocated B/op |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|");
            await CompareAsync(
                "NonStreaming",
                100,
                rounds,
                [
                    ("SecondDirectly", async () => (await failover.SecondDirectly().ConfigureAwait(false)).Messages.Count),
                    ("RouterAfter500", async () => (await failover.RouterAfter500().ConfigureAwait(false)).Messages.Count),
                    ("RouterAfter429", async () => (await failover.RouterAfter429().ConfigureAwait(false)).Messages.Count),
                    ("FallbackAfter500", async () => (await failover.FallbackAfter500().ConfigureAwait(false)).Messages.Count),
                ],
                baseline: "SecondDirectly").ConfigureAwait(false);
        }
        finally
        {
            failover.Cleanup();
        }
    }

    private static async Task CompareAsync(string category, int opsPerRound, int rounds, IReadOnlyList<(string Name, Func<Task<int>> Run)> operations, string baseline = Baseline)
    {
        // Warm up all of them until tiered compilation has settled.
        for (var i = 0; i < 30 * opsPerRound; i++)
        {
            foreach (var (_, run) in operations)
            {
                await run().ConfigureAwait(false);
            }
        }

        var samples = operations.Select(_ => new List<(double Wall, double Cpu, double Bytes)>(rounds)).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            // Rotate who goes first so that no client always follows another's garbage.
            for (var k = 0; k < operations.Count; k++)
            {
                var index = (round + k) % operations.Count;
                samples[index].Add(await MeasureAsync(operations[index].Run, opsPerRound).ConfigureAwait(false));
            }
        }

        var baselineIndex = operations.Select(o => o.Name).ToList().IndexOf(baseline);
        var baselineCpu = Median(samples[baselineIndex].Select(s => s.Cpu));
        for (var i = 0; i < operations.Count; i++)
        {
            Print(category, operations[i].Name, samples[i], baselineCpu);
        }
    }

    private static void Print(string category, string client, List<(double Wall, double Cpu, double Bytes)> samples, double baselineCpu)
    {
        var cpu = Median(samples.Select(s => s.Cpu));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {category} | {client} | {Median(samples.Select(s => s.Wall)):F1} | {cpu:F1} | {cpu / baselineCpu:F2} | {Median(samples.Select(s => s.Bytes)):F0} |"));
    }

    private static async Task<(double Wall, double Cpu, double Bytes)> MeasureAsync(Func<Task<int>> operation, int count)
    {
        using var process = Process.GetCurrentProcess();
        var bytes = GC.GetTotalAllocatedBytes(precise: false);
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await operation().ConfigureAwait(false);
        }

        var wallElapsed = Stopwatch.GetElapsedTime(wall);
        process.Refresh();
        var cpuElapsed = process.TotalProcessorTime - cpu;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - bytes;
        return (wallElapsed.TotalMicroseconds / count, cpuElapsed.TotalMicroseconds / count, (double)allocated / count);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
