using System.Globalization;
using CompatAI.StackExchangeRedis.Tests.Infrastructure;
using CompatAI.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace CompatAI.StackExchangeRedis.Tests;

/// <summary>
/// The budget store's leases against a real redis-server: script calls are counted by the server (<c>INFO commandstats</c>),
/// counters are read with a connection of their own, and the clock that gives idle leases back is a <see cref="FakeTimeProvider"/>
/// (never advanced unless a test says so, so nothing is given back behind a test's back).
/// </summary>
public sealed class RedisBudgetLeaseTests
{
    private static readonly DateTimeOffset s_windowEnd = DateTimeOffset.UtcNow.AddHours(1);

    [Fact]
    public async Task With_ample_headroom_most_reservations_are_granted_without_a_redis_call_and_flushing_gives_the_rest_back()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis);
        using var observer = Redis.Connect(redis);
        var store = Store(connection, new FakeTimeProvider(DateTimeOffset.UtcNow));
        long before = await ScriptCallsAsync(redis);

        for (int i = 0; i < 1000; i++)
        {
            Assert.True((await store.TryReserveAsync("requests", 1m, 1_000_000m, s_windowEnd)).Granted);
        }

        for (int i = 0; i < 1000; i++)
        {
            Assert.True((await store.TryReserveAsync("cost", 0.0025m, 50m, s_windowEnd)).Granted);
        }

        // Per counter, the first reservation asks for its amount alone (nothing is known of the headroom yet), every later
        // one that goes to Redis for a lease of 32 (1 / 64 of the headroom is more than 32 amounts): Redis is called for
        // reservations 1, 2, 34, 66, ..., 994, 33 times of 1000.
        Assert.Equal(2 * 33, await ScriptCallsAsync(redis) - before);

        // Redis holds the leases' unused remainders as well; this store does not count them as spent.
        Assert.InRange(await RawAsync(observer, "requests"), 1000m, 1031m);
        Assert.InRange(await RawAsync(observer, "cost"), 2.5m, 2.5775m);
        Assert.Equal(1000m, await store.GetSpentAsync("requests"));
        Assert.Equal(2.5m, await store.GetSpentAsync("cost"));

        await store.FlushAsync();
        Assert.Equal(1000m, await RawAsync(observer, "requests"));
        Assert.Equal(2.5m, await RawAsync(observer, "cost"));
    }

    [Fact]
    public async Task With_leases_turned_off_in_the_registration_every_reservation_is_one_redis_call()
    {
        await using var redis = await RedisServer.StartAsync();
        using var observer = Redis.Connect(redis);
        await using var provider = new ServiceCollection()
            .AddCompatRedis(o => { o.Configuration = redis.Configuration; o.OperationTimeout = Redis.OperationTimeout; })
            .AddCompatRedisBudgetStore(o => o.Leases = false)
            .BuildServiceProvider();
        var store = provider.GetRequiredService<RedisBudgetStore>();
        long before = await ScriptCallsAsync(redis);

        for (int i = 0; i < 200; i++)
        {
            Assert.True((await store.TryReserveAsync("requests", 1m, 1_000_000m, s_windowEnd)).Granted);
        }

        Assert.Equal(200, await ScriptCallsAsync(redis) - before);
        Assert.Equal(200m, await RawAsync(observer, "requests"));
    }

    [Fact]
    public async Task Two_processes_with_forty_concurrent_callers_admit_exactly_the_limit_between_them()
    {
        await using var redis = await RedisServer.StartAsync();
        using var a = Redis.Connect(redis);
        using var b = Redis.Connect(redis);
        using var observer = Redis.Connect(redis);
        RedisBudgetStore[] stores = [Store(a, new FakeTimeProvider(DateTimeOffset.UtcNow)), Store(b, new FakeTimeProvider(DateTimeOffset.UtcNow))];
        long before = await ScriptCallsAsync(redis);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Every caller reserves until its store refuses it.
        var callers = Enumerable.Range(0, 40).Select(async i =>
        {
            await start.Task;
            int granted = 0;
            while ((await stores[i % 2].TryReserveAsync("requests", 1m, 1000m, s_windowEnd)).Granted)
            {
                granted++;
            }

            return granted;
        }).ToArray();
        start.SetResult();
        var granted = await Task.WhenAll(callers);

        Assert.Equal(1000, granted.Sum());
        Assert.Equal(1000m, await RawAsync(observer, "requests"));
        Assert.True(granted.Where((_, i) => i % 2 == 0).Sum() > 0 && granted.Where((_, i) => i % 2 == 1).Sum() > 0, "both processes were granted some");

        // Leases were used: fewer script calls than grants (each caller's refusal is one more call).
        Assert.True(await ScriptCallsAsync(redis) - before < 1000, "leases took the round trip off most reservations");
    }

    [Fact]
    public async Task One_process_with_leases_decides_every_reservation_as_one_without_them()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis);
        var leased = Store(connection, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var plain = new RedisBudgetStore(connection, MsOptions.Create(new CompatRedisBudgetOptions { Leases = false }));
        var random = new Random(1402);

        // Amounts of up to 12 decimals, until well past the limit: leases early on, refusals and near misses at the end.
        for (int i = 0; i < 2500; i++)
        {
            decimal amount = Math.Round((decimal)random.NextDouble() * 0.05m, 12);
            var withLease = await leased.TryReserveAsync("leased", amount, 50m, s_windowEnd);
            var without = await plain.TryReserveAsync("plain", amount, 50m, s_windowEnd);
            Assert.Equal(without, withLease);
        }

        Assert.Equal(await plain.GetSpentAsync("plain"), await leased.GetSpentAsync("leased"));
    }

    [Fact]
    public async Task A_lease_unused_for_the_idle_time_is_given_back_to_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis);
        using var otherProcess = Redis.Connect(redis);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = Store(connection, clock, o => o.LeaseIdleTime = TimeSpan.FromSeconds(2));
        var other = new RedisBudgetStore(otherProcess);

        for (int i = 0; i < 10; i++)
        {
            Assert.True((await store.TryReserveAsync("requests", 1m, 10_000m, s_windowEnd)).Granted);
        }

        // The first call reserved 1, the second a lease of 32 (10 000 / 64 is more than the most, 32).
        Assert.Equal(33m, await RawAsync(otherProcess, "requests"));
        Assert.Equal(10m, await store.GetSpentAsync("requests"));
        Assert.Equal(33m, await other.GetSpentAsync("requests"));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10m, await store.GetSpentAsync("requests"));
        Assert.Equal(33m, await RawAsync(otherProcess, "requests"));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10m, await store.GetSpentAsync("requests")); // waits for the queued give-back
        Assert.Equal(10m, await RawAsync(otherProcess, "requests"));
        Assert.Equal(10m, await other.GetSpentAsync("requests"));

        // The store goes on: the next reservation asks Redis again.
        Assert.True((await store.TryReserveAsync("requests", 1m, 10_000m, s_windowEnd)).Granted);
        Assert.Equal(11m, await RawAsync(otherProcess, "requests"));
    }

    [Fact]
    public async Task A_lease_of_a_window_that_ended_is_dropped_not_given_back()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis);
        using var observer = Redis.Connect(redis);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = Store(connection, clock, o => o.LeaseIdleTime = TimeSpan.FromMinutes(10));
        var end = clock.GetUtcNow().AddMinutes(5);

        Assert.True((await store.TryReserveAsync("minutes", 1m, 10_000m, end)).Granted);
        Assert.True((await store.TryReserveAsync("minutes", 1m, 10_000m, end)).Granted);
        Assert.Equal(33m, await RawAsync(observer, "minutes"));

        // The clock passes the window's end (Redis's own clock does not, so the key is still there to see).
        clock.Advance(TimeSpan.FromMinutes(10));
        await store.FlushAsync();
        Assert.Equal(33m, await RawAsync(observer, "minutes"));
    }

    [Fact]
    public async Task Disposing_the_store_gives_back_what_its_leases_hold()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis);
        using var observer = Redis.Connect(redis);
        var store = Store(connection, new FakeTimeProvider(DateTimeOffset.UtcNow));

        for (int i = 0; i < 5; i++)
        {
            Assert.True((await store.TryReserveAsync("a", 1m, 10_000m, s_windowEnd)).Granted);
            Assert.True((await store.TryReserveAsync("b", 0.5m, 10_000m, s_windowEnd)).Granted);
        }

        Assert.Equal(33m, await RawAsync(observer, "a"));
        Assert.Equal(16.5m, await RawAsync(observer, "b"));

        await store.DisposeAsync();
        Assert.Equal(5m, await RawAsync(observer, "a"));
        Assert.Equal(2.5m, await RawAsync(observer, "b"));
    }

    [Fact]
    public async Task Redis_going_down_while_a_lease_is_held_fails_no_reservation()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis);
        using var observer = Redis.Connect(redis);
        var store = Store(connection, new FakeTimeProvider(DateTimeOffset.UtcNow), o => o.MaxLeaseRequests = 8);

        // 1, then a lease of 8: 7 left unused.
        Assert.True((await store.TryReserveAsync("requests", 1m, 10_000m, s_windowEnd)).Granted);
        Assert.True((await store.TryReserveAsync("requests", 1m, 10_000m, s_windowEnd)).Granted);
        Assert.Equal(9m, await RawAsync(observer, "requests"));

        await redis.StopAsync();
        await Redis.WaitUntilAsync(() => !connection.IsConnected, "noticing Redis is down");

        // The lease's 7 are granted (they were counted in Redis), then the store counts alone: no reservation fails.
        for (int i = 0; i < 20; i++)
        {
            Assert.True((await store.TryReserveAsync("requests", 1m, 10_000m, s_windowEnd)).Granted);
        }

        Assert.True(store.IsLocal);
        Assert.Equal(13m, await store.GetSpentAsync("requests"));

        // Redis comes back empty: the 13 counted locally are added to it; the lease was dropped, nothing is given back.
        await redis.StartAgainAsync();
        await Redis.WaitUntilAsync(() => connection.IsConnected && observer.IsConnected, "reconnecting");
        Assert.True((await store.TryReserveAsync("requests", 1m, 10_000m, s_windowEnd)).Granted);
        Assert.False(store.IsLocal);
        await store.FlushAsync();
        Assert.Equal(14m, await RawAsync(observer, "requests"));
    }

    [Fact]
    public async Task Invalid_lease_options_are_a_clear_error()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = Redis.Connect(redis);

        var idle = Assert.Throws<InvalidOperationException>(() => new RedisBudgetStore(connection, MsOptions.Create(new CompatRedisBudgetOptions { LeaseIdleTime = TimeSpan.Zero })));
        Assert.Contains("CompatAI:Redis:Budgets:LeaseIdleTime", idle.Message, StringComparison.Ordinal);
        var divisor = Assert.Throws<InvalidOperationException>(() => new RedisBudgetStore(connection, MsOptions.Create(new CompatRedisBudgetOptions { LeaseDivisor = 0 })));
        Assert.Contains("LeaseDivisor", divisor.Message, StringComparison.Ordinal);
        var most = Assert.Throws<InvalidOperationException>(() => new RedisBudgetStore(connection, MsOptions.Create(new CompatRedisBudgetOptions { MaxLeaseRequests = 0 })));
        Assert.Contains("MaxLeaseRequests", most.Message, StringComparison.Ordinal);
    }

    private static RedisBudgetStore Store(CompatRedisConnection connection, TimeProvider clock, Action<CompatRedisBudgetOptions>? configure = null)
    {
        var options = new CompatRedisBudgetOptions();
        configure?.Invoke(options);
        return new RedisBudgetStore(connection, MsOptions.Create(options), timeProvider: clock);
    }

    /// <summary>What the counter holds in Redis, read with another connection.</summary>
    private static async Task<decimal> RawAsync(CompatRedisConnection observer, string counter)
    {
        var value = await observer.Multiplexer.GetDatabase().StringGetAsync(observer.Key("budget:" + counter));
        return value.IsNull ? 0m : long.Parse((string)value!, CultureInfo.InvariantCulture) / 1_000_000_000_000m;
    }

    /// <summary>How many scripts the server has run (EVAL and EVALSHA), from its own statistics.</summary>
    private static async Task<long> ScriptCallsAsync(RedisServer redis)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.Configuration},allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        long calls = 0;
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var (name, value) in group)
            {
                if (name is "cmdstat_eval" or "cmdstat_evalsha")
                {
                    calls += long.Parse(value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture);
                }
            }
        }

        return calls;
    }
}
