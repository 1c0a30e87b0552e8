using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace CompatAI.Benchmarks;

/// <summary>
/// One routing decision of <see cref="RouterChatClient"/> over 10 candidates (capability filter, scoring, ranking; no I/O),
/// per strategy, against the baseline of reading the request's requirements alone (its flags and the prompt's UTF-8 bound; a strategy that prices counts the tokens too), which every
/// decision includes. Run with <c>-- --routing --filter '*'</c>.
/// </summary>
[MemoryDiagnoser]
public class RoutingDecisionBenchmarks
{
    private static readonly string[] s_providers = ["openai", "groq", "mistral", "deepseek", "together", "fireworks", "openrouter", "xai", "cerebras", "perplexity"];
    private readonly Dictionary<RoutingStrategy, RouterChatClient> _routers = [];
    private RouterOptions _options = null!;
    private List<ChatMessage> _messages = null!;

    /// <summary>The request every decision reads: a system and a user message.</summary>
    internal static List<ChatMessage> Messages() =>
        [new(ChatRole.System, "You are a helpful assistant."), new(ChatRole.User, "What is the capital of France? Answer in one word.")];

    /// <summary>A router over 10 priced candidates with quality scores (endpoints never called: a decision does no I/O).</summary>
    internal static RouterChatClient CreateRouter(RoutingStrategy strategy)
    {
        var prices = new List<ModelPrice>();
        for (int i = 0; i < s_providers.Length; i++)
        {
            prices.Add(new ModelPrice { Provider = s_providers[i], Model = $"model-{i}", Input = 0.1m * (i + 1), Output = 0.2m * (10 - i) });
        }

        var candidates = s_providers.Select((p, i) => new RouteCandidate(CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = p,
            Endpoint = new Uri($"http://127.0.0.1:9/{p}/v1"),
            ApiKey = "bench",
            Model = $"model-{i}",
        }))
        { Quality = i / 10.0 });
        return new RouterChatClient(candidates, new RouterOptions { Strategy = strategy, Prices = new PriceTable(prices) });
    }

    [GlobalSetup]
    public void Setup()
    {
        foreach (var strategy in new[] { RoutingStrategy.Cost, RoutingStrategy.Latency, RoutingStrategy.Balanced, RoutingStrategy.RoundRobin })
        {
            _routers[strategy] = CreateRouter(strategy);
        }

        _options = new RouterOptions();
        _messages = Messages();
    }

    /// <summary>Reading the request (tools, images, JSON, reasoning, the prompt's UTF-8 bound): part of every decision.</summary>
    [Benchmark(Baseline = true)]
    public int Requirements()
    {
        // What every decision reads at least: the flags and the prompt's UTF-8 bound (the windows' filter).
        var needs = RouteNeeds.Read(_messages, null, _options);
        return needs.Fits(int.MaxValue) ? 1 : 0;
    }

    /// <summary>A whole decision, cheapest first.</summary>
    [Benchmark]
    public object Cost() => Plan(RoutingStrategy.Cost);

    /// <summary>A whole decision, fastest first.</summary>
    [Benchmark]
    public object Latency() => Plan(RoutingStrategy.Latency);

    /// <summary>A whole decision, balanced score.</summary>
    [Benchmark]
    public object Balanced() => Plan(RoutingStrategy.Balanced);

    /// <summary>A whole decision, round-robin.</summary>
    [Benchmark]
    public object RoundRobin() => Plan(RoutingStrategy.RoundRobin);

    /// <summary>Releases the clients.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var router in _routers.Values)
        {
            router.Dispose();
        }
    }

    private object Plan(RoutingStrategy strategy)
    {
        var needs = RouteNeeds.Read(_messages, null, _options);
        return _routers[strategy].Plan(ref needs, explain: false).Ranked;
    }
}
