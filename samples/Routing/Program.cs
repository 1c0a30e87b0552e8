// CompatAI routing: choose a provider per request by cost or latency, see what each answer cost, stay within a budget.
//
//   dotnet run --project samples/Routing          offline, against the built-in provider emulator
//
// Prices come from CompatAI's price table (src/CompatAI/Catalog/Data/prices.json); rows marked uncertain are estimates.
using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

await using var emulator = await ProviderEmulator.StartAsync();
Console.WriteLine($"Provider emulator listening on {emulator.BaseUrl}");

RouteCandidate Candidate(string personality, string model) => new(CompatChatClient.Create(new CompatChatClientOptions
{
    Provider = personality,
    Endpoint = emulator.GetEndpoint(personality),
    ApiKey = "emulator-key",
    Model = model,
    Retry = new RetryOptions { MaxRetries = 0 },
}));

RouteCandidate[] Candidates() =>
[
    Candidate("openai", "gpt-4o-mini"),
    Candidate("mistral", "mistral-small-latest"),
    Candidate("groq", "llama-3.1-8b-instant"),
];

static void Show(ChatResponse response)
{
    var p = response.AdditionalProperties!;
    Console.WriteLine(
        $"  served by {p[FallbackChatClient.ProviderKey]}/{p[FallbackChatClient.ModelKey]} (strategy {p[RouterChatClient.StrategyKey]}, rank {p[RouterChatClient.RankKey]}, " +
        $"score {p[RouterChatClient.ScoreKey]:0.########}), cost {p.GetValueOrDefault(CostTrackingChatClient.CostKey):0.########} {p.GetValueOrDefault(CostTrackingChatClient.CurrencyKey)}");
}

Console.WriteLine();
Console.WriteLine("== Cost routing: the cheapest candidate that can do the job");
using (var router = new RouterChatClient(Candidates(), new RouterOptions { Strategy = RoutingStrategy.Cost }))
using (var client = new ChatClientBuilder(router).UseCostTracking().Build())
{
    var decision = router.Decide([new ChatMessage(ChatRole.User, "What is the capital of France?")]);
    foreach (var ranked in decision.Ranked)
    {
        Console.WriteLine($"  #{ranked.Rank} {ranked.Name,-8} estimated {ranked.Score:0.########} USD");
    }

    Show(await client.GetResponseAsync("What is the capital of France?"));

    Console.WriteLine("  ...the cheapest now answers 503: the request fails over along the ranking");
    emulator.EnqueueFault("groq", EmulatorFault.WithStatus(503));
    Show(await client.GetResponseAsync("What is the capital of Italy?"));
}

Console.WriteLine();
Console.WriteLine("== Latency routing: the fastest recently, re-explored after a while");
var slow = TimeSpan.FromMilliseconds(400);
using (var router = new RouterChatClient(Candidates(), new RouterOptions { Strategy = RoutingStrategy.Latency }))
{
    emulator.EnqueueFault("openai", EmulatorFault.SlowStart(slow));
    emulator.EnqueueFault("mistral", EmulatorFault.SlowStart(slow));
    for (int i = 0; i < 5; i++)
    {
        var response = await router.GetResponseAsync($"Question {i + 1}");
        Console.WriteLine($"  request {i + 1}: {response.AdditionalProperties![FallbackChatClient.ProviderKey]} (rank {response.AdditionalProperties[RouterChatClient.RankKey]})");
    }

    foreach (var health in router.GetHealth())
    {
        Console.WriteLine($"  {health.Name,-8} {health.Status,-8} latency {health.Latency?.TotalMilliseconds:0} ms, error rate {health.ErrorRate:0.00}, breaker {health.Breaker}");
    }
}

Console.WriteLine();
Console.WriteLine("== A daily budget around the router: refused before anything is sent once it is spent");
using (var router = new RouterChatClient(Candidates(), new RouterOptions { Strategy = RoutingStrategy.Cost }))
using (var client = new ChatClientBuilder(router)
           .UseBudgets(o => o.Budgets.Add(new Budget { Name = "demo-daily", Window = BudgetWindow.Day, Limit = 0.0000015m }))
           .UseCostTracking()
           .Build())
{
    var budgets = client.GetService<BudgetingChatClient>()!;
    for (int i = 0; i < 4; i++)
    {
        int sent = emulator.Requests.Count;
        try
        {
            var response = await client.GetResponseAsync($"Budgeted question {i + 1}");
            Console.WriteLine($"  request {i + 1}: answered, cost {response.AdditionalProperties![CostTrackingChatClient.CostKey]:0.########} USD, spent today {await budgets.GetSpentAsync("demo-daily"):0.########}");
        }
        catch (BudgetExceededException ex)
        {
            Console.WriteLine($"  request {i + 1}: refused ({ex.BudgetName}: {ex.Spent:0.########} of {ex.Limit:0.########} {ex.Currency} spent); requests sent: {emulator.Requests.Count - sent}");
        }
    }
}
