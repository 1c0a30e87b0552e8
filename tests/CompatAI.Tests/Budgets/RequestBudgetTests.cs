using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CompatAI.Tests.Budgets;

/// <summary>Budgets that count requests (<see cref="BudgetUnit.Requests"/>), against the emulator over loopback HTTP.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class RequestBudgetTests(EmulatorFixture fixture)
{
    private int RequestsToGroq => fixture.Emulator.Requests.Count(r => r.Personality == "groq");

    private BudgetingChatClient Client(IBudgetStore store, params Budget[] budgets)
    {
        var options = new BudgetOptions { Store = store };
        foreach (var budget in budgets)
        {
            options.Budgets.Add(budget);
        }

        return new BudgetingChatClient(fixture.Pipeline("groq", "llama-3.1-8b-instant"), options);
    }

    [Fact]
    public async Task A_request_budget_admits_its_limit_of_requests_whatever_they_cost_and_then_refuses_saying_so()
    {
        using var client = Client(new InMemoryBudgetStore(), new Budget { Name = "three-a-day", Unit = BudgetUnit.Requests, Limit = 3, Currency = "" });
        int before = RequestsToGroq;

        await client.GetResponseAsync("one", new ChatOptions { MaxOutputTokens = 100_000 });
        await client.GetResponseAsync("two");
        await foreach (var update in client.GetStreamingResponseAsync("three"))
        {
            Assert.NotNull(update);
        }

        Assert.Equal(3m, await client.GetSpentAsync("three-a-day"));
        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("four"));
        Assert.Equal(before + 3, RequestsToGroq);
        Assert.Equal(BudgetUnit.Requests, error.Unit);
        Assert.Equal(3m, error.Spent);
        Assert.Equal(1m, error.Estimate);
        Assert.StartsWith("Budget 'three-a-day' (App, per day) refused the request: all 3 requests of the window are used", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("USD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_that_fails_before_the_provider_answers_does_not_count()
    {
        using var client = Client(new InMemoryBudgetStore(), new Budget { Name = "n", Unit = BudgetUnit.Requests, Limit = 1 });
        fixture.Emulator.EnqueueFault("groq", EmulatorFault.WithStatus(500));

        await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("this one fails"));

        Assert.Equal(0m, await client.GetSpentAsync("n"));
        await client.GetResponseAsync("this one counts");
        Assert.Equal(1m, await client.GetSpentAsync("n"));
    }

    [Fact]
    public async Task A_request_and_a_cost_budget_count_the_same_request_separately_and_a_refusal_releases_the_other()
    {
        var prices = PriceTable.Default.With(new ModelPrice { Provider = "groq", Model = "llama-3.1-8b-instant", Input = 2m, Output = 10m, Currency = "USD" });
        var store = new InMemoryBudgetStore();
        var options = new BudgetOptions { Store = store, Prices = prices };
        options.Budgets.Add(new Budget { Name = "requests", Unit = BudgetUnit.Requests, Limit = 1 });
        options.Budgets.Add(new Budget { Name = "money", Limit = 1m });
        using var client = new BudgetingChatClient(fixture.Pipeline("groq", "llama-3.1-8b-instant"), options);

        var response = await client.GetResponseAsync("priced", new ChatOptions { MaxOutputTokens = 1000 });

        decimal real = ((response.Usage!.InputTokenCount!.Value * 2m) + (response.Usage.OutputTokenCount!.Value * 10m)) / 1_000_000m;
        Assert.Equal(1m, await client.GetSpentAsync("requests"));
        Assert.Equal(real, await client.GetSpentAsync("money"));
        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("refused", new ChatOptions { MaxOutputTokens = 1000 }));
        Assert.Equal("requests", error.BudgetName);
        Assert.Equal(real, await client.GetSpentAsync("money"));
    }

    [Fact]
    public void A_request_budget_needs_a_whole_number_limit_and_a_known_unit()
    {
        var builder = new ChatClientBuilder(fixture.Pipeline("groq", "llama-3.1-8b-instant"));

        var fraction = Assert.Throws<ArgumentOutOfRangeException>(() => builder.UseBudgets(o => o.Budgets.Add(new Budget { Name = "half", Unit = BudgetUnit.Requests, Limit = 2.5m })));
        Assert.Contains("'half'", fraction.Message, StringComparison.Ordinal);
        Assert.Contains("whole number", fraction.Message, StringComparison.Ordinal);
        var unit = Assert.Throws<ArgumentOutOfRangeException>(() => builder.UseBudgets(o => o.Budgets.Add(new Budget { Name = "odd", Unit = (BudgetUnit)7, Limit = 1 })));
        Assert.Contains("'odd'", unit.Message, StringComparison.Ordinal);

        // A cost budget still needs its currency.
        Assert.Throws<ArgumentException>(() => builder.UseBudgets(o => o.Budgets.Add(new Budget { Name = "money", Limit = 1m, Currency = "" })));
    }

    [Fact]
    public void UseBudgets_without_a_store_takes_the_one_registered_in_the_services()
    {
        var registered = new InMemoryBudgetStore();
        using var services = new ServiceCollection().AddSingleton<IBudgetStore>(registered).BuildServiceProvider();

        using var client = new ChatClientBuilder(fixture.Pipeline("groq", "llama-3.1-8b-instant"))
            .UseBudgets(o => o.Budgets.Add(new Budget { Name = "n", Unit = BudgetUnit.Requests, Limit = 1 }))
            .Build(services);

        Assert.Same(registered, client.GetService<BudgetingChatClient>()!.Store);
        using var own = new ChatClientBuilder(fixture.Pipeline("groq", "llama-3.1-8b-instant"))
            .UseBudgets(o => o.Budgets.Add(new Budget { Name = "n", Unit = BudgetUnit.Requests, Limit = 1 }))
            .Build();
        Assert.IsType<InMemoryBudgetStore>(own.GetService<BudgetingChatClient>()!.Store);
        Assert.NotSame(registered, own.GetService<BudgetingChatClient>()!.Store);
    }
}
