using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using CompatAI.Benchmarks;

// The comparison is ChatClientOverheadBenchmarks (raw SDK, bare AsIChatClient(), CompatAI's client and CompatChatClient.Create).
// `--interleaved` runs InterleavedComparison over the same four clients, a CPU-time cross-check for machines too loaded
// for wall-clock means.
if (args.Contains("--interleaved"))
{
    await InterleavedComparison.RunAsync(rounds: 200).ConfigureAwait(false);
    return;
}

// `--interleaved-layers`: the same CPU-time check, layer by layer (MiddlewareBreakdownBenchmarks' I/O rows).
if (args.Contains("--interleaved-layers"))
{
    await InterleavedComparison.RunLayersAsync(rounds: 200).ConfigureAwait(false);
    return;
}

// `--redis-budgets`: RedisBudgetStore's reserve+settle against InMemoryBudgetStore's, on a redis-server on loopback.
if (args.Contains("--redis-budgets"))
{
    await RedisBudgetComparison.RunAsync(requests: 20_000).ConfigureAwait(false);
    return;
}

// `--failover-interleaved`: FailoverBenchmarks' rows as the same CPU-time check (for a machine too loaded for wall clock).
if (args.Contains("--failover-interleaved"))
{
    await InterleavedComparison.RunFailoverAsync(rounds: 100).ConfigureAwait(false);
    return;
}

// `--routing-p99`: 1,000,000 single routing decisions over 10 candidates, timed one by one: p50/p99/p99.9 and bytes per decision.
if (args.Contains("--routing-p99"))
{
    RoutingPercentiles.Run(decisions: 1_000_000, warmup: 100_000);
    return;
}

var middleware = args.Contains("--middleware");
var thinkTags = args.Contains("--think-tags");
var tokens = args.Contains("--tokens");
var middlewareBreakdown = args.Contains("--middleware-breakdown");
var routing = args.Contains("--routing");
var ensembles = args.Contains("--ensembles");
var failover = args.Contains("--failover");
args = [.. args.Where(a => a is not ("--middleware" or "--think-tags" or "--middleware-breakdown" or "--tokens" or "--routing" or "--ensembles" or "--failover"))];

// Without a --job argument, one measured configuration that finishes in a few minutes on 2 cores
// (3 warmup + 20 measured iterations, 1 launch). `--job short` (3+3) or `--job dry` give quicker, rougher runs.
IConfig config = DefaultConfig.Instance;
if (!args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal)))
{
    config = config.AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(20).WithId("Bench"));
}

// `--middleware`: the default middleware pipeline against the raw SDK; `--think-tags`: the think-tag parser's throughput;
// `--tokens`: counting a 4k-token conversation against one loopback request of it.
// `--middleware-breakdown`: layer by layer from bare AsIChatClient() (wire repairs, CompatAI's client, each middleware), and the
// middleware's per-request steps without I/O.
// `--routing`: one routing decision over 10 candidates per strategy.
// `--ensembles`: 3-member first and vote ensembles (50/100/150 ms members) against the fastest and slowest member alone.
// `--failover`: a router and a fallback chain whose first candidate answers 500/429 at once, against the second alone.
var benchmark = failover ? typeof(FailoverBenchmarks)
    : ensembles ? typeof(EnsembleBenchmarks)
    : routing ? typeof(RoutingDecisionBenchmarks)
    : middlewareBreakdown ? typeof(MiddlewareBreakdownBenchmarks)
    : middleware ? typeof(MiddlewarePipelineBenchmarks)
    : thinkTags ? typeof(ThinkTagParserBenchmarks)
    : tokens ? typeof(TokenCounterBenchmarks)
    : typeof(ChatClientOverheadBenchmarks);
BenchmarkSwitcher.FromTypes([benchmark]).Run(args, config);
