using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using CompatAI.Benchmarks;

// The comparison is ChatClientOverheadBenchmarks. `--breakdown` runs OverheadBreakdownBenchmarks instead: the layers of
// CompatAI's overhead measured one by one (see eng/bench/README.md).
// `--interleaved` runs InterleavedComparison, a CPU-time cross-check for machines too loaded for wall-clock means.
if (args.Contains("--interleaved"))
{
    await InterleavedComparison.RunAsync(rounds: 200).ConfigureAwait(false);
    return;
}

var breakdown = args.Contains("--breakdown");
args = [.. args.Where(a => a != "--breakdown")];

// Without a --job argument, one measured configuration that finishes in a few minutes on 2 cores
// (3 warmup + 20 measured iterations, 1 launch). `--job short` (3+3) or `--job dry` give quicker, rougher runs.
IConfig config = DefaultConfig.Instance;
if (!args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal)))
{
    config = config.AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(20).WithId("Bench"));
}

BenchmarkSwitcher.FromTypes([breakdown ? typeof(OverheadBreakdownBenchmarks) : typeof(ChatClientOverheadBenchmarks)]).Run(args, config);
