using CompatAI.StackExchangeRedis.Tests.Infrastructure;
using CompatAI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CompatAI.StackExchangeRedis.Tests;

/// <summary>Budgets shared through a real redis-server by several connections, each standing for a separate process.</summary>
public sealed class RedisBudgetStoreTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private static readonly DateTimeOffset s_windowEnd = DateTimeOffset.UtcNow.AddHours(1);

    [Fact]
    public async Task Fifty_concurrent_callers_on_three_connections_are_granted_exactly_the_limit()
    {
        await using var redis = await RedisServer.StartAsync();
        using var a = Redis.Connect(redis);
        using var b = Redis.Connect(redis);
        using var c = Redis.Connect(redis);
        RedisBudgetStore[] stores = [new(a), new(b), new(c)];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 50).Select(async i =>
        {
            await start.Task;
            return await stores[i % 3].TryReserveAsync("requests", 1m, 17m, s_windowEnd);
        }).ToArray();
        start.SetResult();
        var answers = await Task.WhenAll(callers);

        Assert.Equal(17, answers.Count(r => r.Granted));
        Assert.Equal(33, answers.Count(r => !r.Granted));
        Assert.All(answers.Where(r => !r.Granted), r => Assert.Equal(17m, r.Spent));
        Assert.Equal(17m, await stores[1].GetSpentAsync("requests"));
        Assert.All(stores, s => Assert.False(s.IsLocal));
    }

    [Fact]
    public async Task A_request_budget_admits_exactly_N_requests_across_three_replicas_under_fifty_concurrent_callers()
    {
        await using var redis = await RedisServer.StartAsync();
        using var a = Redis.Connect(redis);
        using var b = Redis.Connect(redis);
        using var c = Redis.Connect(redis);
        var budget = new Budget { Name = "hourly-requests", Unit = BudgetUnit.Requests, Limit = 12 };
        IChatClient Replica(CompatRedisConnection connection) =>
            fixture.Pipeline().AsBuilder().UseBudgets(o =>
            {
                o.Budgets.Add(budget);
                o.Store = new RedisBudgetStore(connection);
            }).Build();
        IChatClient[] replicas = [Replica(a), Replica(b), Replica(c)];
        int before = fixture.Upstream;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 50).Select(async i =>
        {
            await start.Task;
            try
            {
                await replicas[i % 3].GetResponseAsync($"question {i}");
                return (BudgetExceededException?)null;
            }
            catch (BudgetExceededException error)
            {
                return error;
            }
        }).ToArray();
        start.SetResult();
        var outcomes = await Task.WhenAll(callers);

        Assert.Equal(12, outcomes.Count(e => e is null));
        Assert.Equal(12, fixture.Upstream - before);
        var refused = outcomes.OfType<BudgetExceededException>().ToList();
        Assert.Equal(38, refused.Count);
        Assert.All(refused, e =>
        {
            Assert.Equal(BudgetUnit.Requests, e.Unit);
            Assert.Contains("all 12 requests of the window are used", e.Message, StringComparison.Ordinal);
        });
        var spent = await replicas[2].GetRequiredService<BudgetingChatClient>().GetSpentAsync("hourly-requests");
        Assert.Equal(12m, spent);
    }

    [Fact]
    public async Task Settling_replaces_the_reservation_with_the_actual_amount_and_never_goes_below_zero()
    {
        await using var redis = await RedisServer.StartAsync();
        using var a = Redis.Connect(redis);
        using var b = Redis.Connect(redis);
        var writer = new RedisBudgetStore(a);
        var reader = new RedisBudgetStore(b);

        // Settlements are applied in the background: another process sees one once the writer flushed its queue.
        Assert.True((await writer.TryReserveAsync("day", 0.5m, 1m, s_windowEnd)).Granted);
        await writer.SettleAsync("day", 0.5m, 0.2m, s_windowEnd);
        await writer.FlushAsync();
        Assert.Equal(0.2m, await reader.GetSpentAsync("day"));

        Assert.True((await writer.TryReserveAsync("day", 0.3m, 1m, s_windowEnd)).Granted);
        Assert.Equal(0.5m, await reader.GetSpentAsync("day"));
        await writer.SettleAsync("day", 0.3m, 0m, s_windowEnd);
        await writer.FlushAsync();
        Assert.Equal(0.2m, await reader.GetSpentAsync("day"));

        await writer.SettleAsync("day", 0.25m, 1.05m, s_windowEnd);
        await writer.FlushAsync();
        Assert.Equal(1m, await reader.GetSpentAsync("day"));
        var refused = await reader.TryReserveAsync("day", 0.000_000_000_001m, 1m, s_windowEnd);
        Assert.False(refused.Granted);
        Assert.Equal(1m, refused.Spent);

        await writer.SettleAsync("day", 7m, 0m, s_windowEnd);
        await writer.FlushAsync();
        Assert.Equal(0m, await reader.GetSpentAsync("day"));
    }

    [Fact]
    public async Task Queued_settlements_are_applied_in_order_read_back_by_their_own_store_and_applied_when_the_host_disposes_it()
    {
        await using var redis = await RedisServer.StartAsync();
        using var otherProcess = Redis.Connect(redis);
        var reader = new RedisBudgetStore(otherProcess);
        var provider = new ServiceCollection()
            .AddCompatRedis(o => { o.Configuration = redis.Configuration; o.OperationTimeout = Redis.OperationTimeout; })
            .AddCompatRedisBudgetStore()
            .BuildServiceProvider();
        var store = provider.GetRequiredService<RedisBudgetStore>();

        // Releasing more than the counter holds floors it at 0 before the next correction: applied one by one, in order
        // (summed first, the two would leave 0).
        Assert.True((await store.TryReserveAsync("day", 5m, 10m, s_windowEnd)).Granted);
        await store.SettleAsync("day", 7m, 0m, s_windowEnd);
        await store.SettleAsync("day", 0m, 2m, s_windowEnd);
        Assert.Equal(2m, await store.GetSpentAsync("day"));

        // Many settlements queued at once, on several counters, in batches: none is lost.
        await Task.WhenAll(Enumerable.Range(0, 600).Select(i => store.SettleAsync($"many-{i % 3}", 0m, 0.001m, s_windowEnd).AsTask()));
        await store.SettleAsync("at-shutdown", 0m, 1.5m, s_windowEnd);

        // The host disposing the services on shutdown applies what is still queued.
        await provider.DisposeAsync();
        Assert.Equal(2m, await reader.GetSpentAsync("day"));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(0.2m, await reader.GetSpentAsync($"many-{i}"));
        }

        Assert.Equal(1.5m, await reader.GetSpentAsync("at-shutdown"));
        Assert.False(store.IsLocal);
    }

    [Fact]
    public async Task Counters_expire_at_the_end_of_their_window()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis, prefix: "ttl-test:");
        var store = new RedisBudgetStore(connection);
        var end = new DateTimeOffset(2099, 3, 1, 0, 0, 0, TimeSpan.Zero);

        await store.TryReserveAsync("month", 1m, 5m, end);
        var database = connection.Multiplexer.GetDatabase();
        Assert.Equal(4_076_006_400_000L, (long)await database.ExecuteAsync("PEXPIRETIME", "ttl-test:budget:month"));

        await store.SettleAsync("other", 0m, 1m, end);
        await store.FlushAsync();
        Assert.Equal(4_076_006_400_000L, (long)await database.ExecuteAsync("PEXPIRETIME", "ttl-test:budget:other"));

        // A counter settled after its window ended is gone at once.
        await store.SettleAsync("past", 0m, 1m, DateTimeOffset.UtcNow.AddDays(-1));
        await store.FlushAsync();
        Assert.False(await database.KeyExistsAsync("ttl-test:budget:past"));
        Assert.Equal(0m, await store.GetSpentAsync("past"));
    }

    [Fact]
    public async Task Amounts_are_exact_to_twelve_decimals_up_to_the_largest_a_counter_holds()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis);
        var store = new RedisBudgetStore(connection);

        await store.TryReserveAsync("small", 0.1m, 1m, s_windowEnd);
        await store.TryReserveAsync("small", 0.2m, 1m, s_windowEnd);
        Assert.Equal(0.3m, await store.GetSpentAsync("small"));
        Assert.False((await store.TryReserveAsync("small", 0.700_000_000_001m, 1m, s_windowEnd)).Granted);
        Assert.True((await store.TryReserveAsync("small", 0.7m, 1m, s_windowEnd)).Granted);
        Assert.Equal(1m, await store.GetSpentAsync("small"));

        // Beyond 2^53 units Lua's numbers would round; the comparison and the sums stay exact.
        await store.TryReserveAsync("large", 1_234_567.123_456_789_012m, 9_000_000m, s_windowEnd);
        await store.TryReserveAsync("large", 0.000_000_000_001m, 9_000_000m, s_windowEnd);
        Assert.Equal(1_234_567.123_456_789_013m, await store.GetSpentAsync("large"));
        Assert.False((await store.TryReserveAsync("large", 7_765_432.876_543_210_988m, 9_000_000m, s_windowEnd)).Granted);
        Assert.True((await store.TryReserveAsync("large", 7_765_432.876_543_210_987m, 9_000_000m, s_windowEnd)).Granted);
        Assert.Equal(9_000_000m, await store.GetSpentAsync("large"));

        Assert.True((await store.TryReserveAsync("max", RedisBudgetStore.MaxAmount, RedisBudgetStore.MaxAmount, s_windowEnd)).Granted);
        Assert.Equal(9_223_372.036_854_775_807m, await store.GetSpentAsync("max"));
        Assert.False((await store.TryReserveAsync("max", RedisBudgetStore.Precision, RedisBudgetStore.MaxAmount, s_windowEnd)).Granted);

        // Finer than 10^-12: an estimate rounds up, so it never slips under a limit.
        Assert.False((await store.TryReserveAsync("fine", 0.000_000_000_000_1m, 0m, s_windowEnd)).Granted);
        Assert.True((await store.TryReserveAsync("fine", 0.000_000_000_000_1m, RedisBudgetStore.Precision, s_windowEnd)).Granted);
        Assert.Equal(RedisBudgetStore.Precision, await store.GetSpentAsync("fine"));
    }

    [Fact]
    public async Task An_amount_the_store_cannot_hold_is_a_clear_error()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis);
        var store = new RedisBudgetStore(connection);

        var tooLarge = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryReserveAsync("x", 10_000_000m, 20_000_000m, s_windowEnd));
        Assert.Equal("amount", tooLarge.ParamName);
        Assert.Contains("9223372.036854775807", tooLarge.Message, StringComparison.Ordinal);
        var limit = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryReserveAsync("x", 1m, 1e20m, s_windowEnd));
        Assert.Equal("limit", limit.ParamName);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryReserveAsync("x", -1m, 1m, s_windowEnd));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.SettleAsync("x", 1m, -0.5m, s_windowEnd));
        Assert.Equal(0m, await store.GetSpentAsync("x"));

        // A served request's cost beyond what a counter holds does not fail it: the counter saturates, and refuses.
        Assert.True((await store.TryReserveAsync("x", 1m, 2m, s_windowEnd)).Granted);
        await store.SettleAsync("x", 1m, 1e20m, s_windowEnd);
        Assert.Equal(RedisBudgetStore.MaxAmount, await store.GetSpentAsync("x"));
        await store.SettleAsync("x", 0m, 5m, s_windowEnd);
        Assert.Equal(RedisBudgetStore.MaxAmount, await store.GetSpentAsync("x"));
        Assert.False((await store.TryReserveAsync("x", 0m, 2m, s_windowEnd)).Granted);
    }

    [Fact]
    public async Task While_redis_is_down_reservations_are_answered_locally_and_counted_back_into_redis_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        var logger = new CapturingLogger<RedisBudgetStore>();
        var services = new ServiceCollection().AddLogging().AddCompatRedis(o => { o.Configuration = redis.Configuration; o.OperationTimeout = Redis.OperationTimeout; }).AddCompatRedisBudgetStore();
        services.AddSingleton<ILogger<RedisBudgetStore>>(logger);
        services.AddHealthChecks().AddCompatRedisHealthCheck();
        await using var provider = services.BuildServiceProvider();
        var store = Assert.IsType<RedisBudgetStore>(provider.GetRequiredService<IBudgetStore>());
        var connection = provider.GetRequiredService<CompatRedisConnection>();
        using var otherProcess = Redis.Connect(redis);
        var other = new RedisBudgetStore(otherProcess);

        Assert.True((await store.TryReserveAsync("day", 4m, 10m, s_windowEnd)).Granted);
        await redis.StopAsync();
        await Redis.WaitUntilAsync(() => !connection.IsConnected && !otherProcess.IsConnected, "noticing Redis is down");

        // Each process now enforces the limit alone, from zero.
        var local = await store.TryReserveAsync("day", 3m, 10m, s_windowEnd);
        Assert.True(local.Granted);
        Assert.Equal(0m, local.Spent);
        Assert.True(store.IsLocal);
        Assert.True((await store.TryReserveAsync("day", 2m, 10m, s_windowEnd)).Granted);
        await store.SettleAsync("day", 2m, 1.5m, s_windowEnd);
        Assert.False((await store.TryReserveAsync("day", 6m, 10m, s_windowEnd)).Granted);
        Assert.Equal(4.5m, await store.GetSpentAsync("day"));
        Assert.True((await other.TryReserveAsync("day", 1m, 10m, s_windowEnd)).Granted);
        Assert.Equal(HealthStatus.Degraded, (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
        Assert.Equal(1, logger.Count(LogLevel.Warning, "Redis is unreachable"));

        // Redis comes back empty (nothing persisted): what each process counted meanwhile is added to it.
        await redis.StartAgainAsync();
        await Redis.WaitUntilAsync(() => connection.IsConnected && otherProcess.IsConnected, "reconnecting");
        Assert.Equal(4.5m, await store.GetSpentAsync("day"));
        Assert.False(store.IsLocal);
        Assert.Equal(1, logger.Count(LogLevel.Information, "budgets are shared again"));
        Assert.Equal(1, logger.Count(LogLevel.Information, "to 1 shared counters"));
        Assert.Equal(5.5m, await other.GetSpentAsync("day"));

        // The reservation of 3 made during the outage settles in Redis, where it now is.
        await store.SettleAsync("day", 3m, 0.25m, s_windowEnd);
        await store.FlushAsync();
        Assert.Equal(2.75m, await other.GetSpentAsync("day"));
        Assert.Equal(HealthStatus.Healthy, (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
        Assert.Equal(1, logger.Count(LogLevel.Warning, "Redis is unreachable"));
    }

    [Fact]
    public async Task UseBudgets_without_a_store_keeps_its_budgets_in_the_registered_redis_store()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var provider = new ServiceCollection()
            .AddCompatRedis(o => { o.Configuration = redis.Configuration; o.OperationTimeout = Redis.OperationTimeout; })
            .AddCompatRedisBudgetStore()
            .BuildServiceProvider();

        using var client = fixture.Pipeline().AsBuilder()
            .UseBudgets(o => o.Budgets.Add(new Budget { Name = "n", Unit = BudgetUnit.Requests, Limit = 1 }))
            .Build(provider);

        Assert.Same(provider.GetRequiredService<RedisBudgetStore>(), client.GetRequiredService<BudgetingChatClient>().Store);
        await client.GetResponseAsync("one");
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("two"));
        using var otherProcess = Redis.Connect(redis);
        var key = otherProcess.Key($"budget:n|App||{DateTimeOffset.UtcNow:yyyy-MM-dd}|requests");
        Assert.Equal("1000000000000", (string?)await otherProcess.Multiplexer.GetDatabase().StringGetAsync(key));
    }

    [Fact]
    public void Registering_the_store_without_the_connection_is_a_clear_error()
    {
        using var provider = new ServiceCollection().AddCompatRedisBudgetStore().BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IBudgetStore>());

        Assert.Contains("AddCompatRedis(", error.Message, StringComparison.Ordinal);
    }
}
