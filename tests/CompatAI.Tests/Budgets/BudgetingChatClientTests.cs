using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Budgets;

/// <summary>Budgets checked before the call and settled after it, against the emulator over loopback HTTP.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class BudgetingChatClientTests(EmulatorFixture fixture)
{
    // 2 EUR per million input tokens, 10 per million output: a request with MaxOutputTokens = 1000 is estimated at >= 0.01 EUR.
    private static readonly PriceTable s_prices = PriceTable.Default.With(new ModelPrice
    {
        Provider = "mistral", Model = "mistral-small-latest", Input = 2m, Output = 10m, Currency = "EUR",
    });

    private int RequestsToMistral => fixture.Emulator.Requests.Count(r => r.Personality == "mistral");

    private BudgetingChatClient Client(IBudgetStore store, TimeProvider? clock, params Budget[] budgets)
    {
        var options = new BudgetOptions { Prices = s_prices, Store = store, TimeProvider = clock ?? TimeProvider.System };
        foreach (var budget in budgets)
        {
            options.Budgets.Add(budget);
        }

        return new BudgetingChatClient(fixture.Pipeline("mistral", "mistral-small-latest"), options);
    }

    [Fact]
    public async Task A_request_that_would_exceed_the_budget_fails_naming_it_before_any_request_is_sent()
    {
        using var client = Client(new InMemoryBudgetStore(), null, new Budget { Name = "daily-app", Limit = 0.005m, Currency = "EUR" });
        int before = RequestsToMistral;

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("an expensive question", new ChatOptions { MaxOutputTokens = 1000 }));

        Assert.Equal("daily-app", error.BudgetName);
        Assert.Contains("'daily-app'", error.Message);
        Assert.Equal(0.005m, error.Limit);
        Assert.True(error.Estimate >= 0.01m, $"estimate {error.Estimate}");
        Assert.Equal(before, RequestsToMistral);

        // The stream refuses the same way, also before sending.
        await Assert.ThrowsAsync<BudgetExceededException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("an expensive stream", new ChatOptions { MaxOutputTokens = 1000 }))
            {
                Assert.Fail("no update may arrive");
            }
        });
        Assert.Equal(before, RequestsToMistral);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_reservation_is_settled_with_the_real_cost_of_the_usage(bool stream)
    {
        var store = new InMemoryBudgetStore();
        using var client = Client(store, null, new Budget { Name = "app", Limit = 1m, Currency = "EUR" });

        UsageDetails usage;
        if (stream)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in client.GetStreamingResponseAsync("settle me", new ChatOptions { MaxOutputTokens = 1000 }))
            {
                updates.Add(update);
            }

            usage = updates.ToChatResponse().Usage!;
        }
        else
        {
            usage = (await client.GetResponseAsync("settle me", new ChatOptions { MaxOutputTokens = 1000 })).Usage!;
        }

        decimal real = ((usage.InputTokenCount!.Value * 2m) + (usage.OutputTokenCount!.Value * 10m)) / 1_000_000m;
        Assert.Equal(real, await client.GetSpentAsync("app"));
    }

    [Fact]
    public async Task A_failed_call_releases_its_reservation()
    {
        using var client = Client(new InMemoryBudgetStore(), null, new Budget { Name = "app", Limit = 1m, Currency = "EUR" });
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(500));

        await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("this one fails", new ChatOptions { MaxOutputTokens = 1000 }));

        Assert.Equal(0m, await client.GetSpentAsync("app"));
    }

    [Fact]
    public async Task Tenant_budgets_count_each_tenant_separately_and_skip_requests_without_one()
    {
        var store = new InMemoryBudgetStore();
        using var client = Client(store, null, new Budget { Name = "per-tenant", Scope = BudgetScope.Tenant, Limit = 0.012m, Currency = "EUR" });
        ChatOptions For(string? tenant) => new()
        {
            MaxOutputTokens = 1000,
            AdditionalProperties = tenant is null ? null : new() { [BudgetingChatClient.TenantProperty] = tenant },
        };

        // The first request of tenant a fits (estimate ~0.01); its real cost is far lower, so a second one fits too.
        await client.GetResponseAsync("first", For("a"));
        decimal spentA = await client.GetSpentAsync("per-tenant", "a");
        Assert.True(spentA > 0 && spentA < 0.002m, $"spent {spentA}");

        // Tenant b cannot reserve more than its own limit, whatever a spent.
        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("too much", new ChatOptions
        {
            MaxOutputTokens = 2000,
            AdditionalProperties = new() { [BudgetingChatClient.TenantProperty] = "b" },
        }));
        Assert.Equal("b", error.Subject);
        Assert.Equal(BudgetScope.Tenant, error.Scope);
        Assert.Equal(0m, error.Spent);

        // A request without a tenant is not subject to a tenant budget.
        await client.GetResponseAsync("no tenant", new ChatOptions { MaxOutputTokens = 5000 });
        Assert.Equal(spentA, await client.GetSpentAsync("per-tenant", "a"));
    }

    [Fact]
    public async Task A_day_budget_starts_again_the_next_utc_day()
    {
        var clock = new ManualTimeProvider();
        var store = new InMemoryBudgetStore(clock);
        using var client = Client(store, clock, new Budget { Name = "day", Window = BudgetWindow.Day, Limit = 0.0001m, Currency = "EUR" });

        await client.GetResponseAsync("fits", new ChatOptions { MaxOutputTokens = 5 });
        Assert.True(await client.GetSpentAsync("day") > 0m);
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("does not fit today", new ChatOptions { MaxOutputTokens = 1000 }));

        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0m, await client.GetSpentAsync("day"));
        var monthBudget = new Budget { Name = "m", Window = BudgetWindow.Month };
        var (start, end) = monthBudget.WindowAt(new DateTimeOffset(2026, 2, 14, 23, 0, 0, TimeSpan.FromHours(-5)));
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), end);
    }

    [Fact]
    public void Bad_budgets_fail_when_configured_with_the_budget_named()
    {
        var builder = new ChatClientBuilder(fixture.Pipeline("mistral", "mistral-small-latest"));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.UseBudgets(o => o.Budgets.Add(new Budget { Name = "neg", Limit = -1m })));
        Assert.Contains("'neg'", error.Message);
        Assert.Throws<ArgumentException>(() => builder.UseBudgets(o =>
        {
            o.Budgets.Add(new Budget { Name = "x", Limit = 1m });
            o.Budgets.Add(new Budget { Name = "x", Limit = 2m });
        }));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Budget_subjects_are_read_locally_and_never_sent_to_the_provider(bool stream)
    {
        var store = new InMemoryBudgetStore();
        using var client = Client(store, null, new Budget { Name = "per-key", Scope = BudgetScope.Key, Limit = 10m, Currency = "EUR" });
        var options = new ChatOptions
        {
            MaxOutputTokens = 50,
            AdditionalProperties = new() { [BudgetingChatClient.KeyProperty] = "key-subject-7", ["safe_prompt"] = false },
        };
        int before = fixture.Emulator.Requests.Count;

        var text = stream
            ? (await client.GetStreamingResponseAsync("hello", options).ToChatResponseAsync()).Text
            : (await client.GetResponseAsync("hello", options)).Text;

        Assert.NotEmpty(text);
        var body = Assert.Single(fixture.Emulator.Requests.Skip(before)).Body;
        Assert.DoesNotContain("compatai", body, StringComparison.Ordinal);
        Assert.DoesNotContain("key-subject-7", body, StringComparison.Ordinal);
        Assert.Contains("\"safe_prompt\":false", body, StringComparison.Ordinal);
        Assert.True(await client.GetSpentAsync("per-key", "key-subject-7") > 0m);
    }
}
