using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// Without a --job argument, one measured configuration that finishes in a few minutes on 2 cores
// (3 warmup + 10 measured iterations, 1 launch). `--job short` (3+3) or `--job dry` give quicker, rougher runs.
IConfig config = DefaultConfig.Instance;
if (!args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal)))
{
    config = config.AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Bench"));
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
