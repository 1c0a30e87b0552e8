using System.Diagnostics;
using System.Globalization;

namespace CompatAI.Benchmarks;

/// <summary>
/// A cross-check for machines too busy for BenchmarkDotNet's wall-clock means (run with <c>-- --interleaved</c>): the
/// raw SDK and CompatAI alternate in short rounds, so both see the same background load, and each round records the
/// process CPU time as well as wall time. The medians over all rounds are printed per operation.
/// </summary>
internal static class InterleavedComparison
{
    public static async Task RunAsync(int rounds)
    {
        var benchmarks = new ChatClientOverheadBenchmarks();
        benchmarks.Setup();
        try
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Interleaved A/B, {rounds} rounds per category, {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
            Console.WriteLine("| Category | Client | Median wall us/op | Median CPU us/op | CPU ratio | Allocated B/op |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|");
            await CompareAsync("NonStreaming", 100, rounds, benchmarks.NonStreaming_RawSdk, benchmarks.NonStreaming_CompatAI).ConfigureAwait(false);
            await CompareAsync("Streaming", 5, rounds, benchmarks.Streaming_RawSdk, benchmarks.Streaming_CompatAI).ConfigureAwait(false);
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static async Task CompareAsync(string category, int opsPerRound, int rounds, Func<Task<int>> raw, Func<Task<int>> compat)
    {
        // Warm up both until tiered compilation has settled.
        for (var i = 0; i < 30 * opsPerRound; i++)
        {
            await raw().ConfigureAwait(false);
            await compat().ConfigureAwait(false);
        }

        var rawSamples = new List<(double Wall, double Cpu, double Bytes)>(rounds);
        var compatSamples = new List<(double Wall, double Cpu, double Bytes)>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            // Alternate who goes first so neither always follows the other's garbage.
            if (round % 2 == 0)
            {
                rawSamples.Add(await MeasureAsync(raw, opsPerRound).ConfigureAwait(false));
                compatSamples.Add(await MeasureAsync(compat, opsPerRound).ConfigureAwait(false));
            }
            else
            {
                compatSamples.Add(await MeasureAsync(compat, opsPerRound).ConfigureAwait(false));
                rawSamples.Add(await MeasureAsync(raw, opsPerRound).ConfigureAwait(false));
            }
        }

        var rawCpu = Median(rawSamples.Select(s => s.Cpu));
        Print(category, "RawSdk", rawSamples, rawCpu);
        Print(category, "CompatAI", compatSamples, rawCpu);
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
