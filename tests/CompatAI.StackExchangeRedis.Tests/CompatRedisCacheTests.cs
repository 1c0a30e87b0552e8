using System.Diagnostics.Metrics;
using CompatAI.StackExchangeRedis.Tests.Infrastructure;
using CompatAI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CompatAI.StackExchangeRedis.Tests;

/// <summary>The response cache in a real redis-server, under MEAI's caching client (<c>UseCompatCache</c>) over the emulator.</summary>
public sealed class CompatRedisCacheTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    /// <summary>A process: its own connection, cache and cached chat client.</summary>
    private ServiceProvider Process(RedisServer redis, CapturingLogger<CompatRedisCache>? logger = null, TimeSpan? expiration = null, bool writeBehind = true)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddCompatRedis(o => { o.Configuration = redis.Configuration; o.OperationTimeout = Redis.OperationTimeout; })
            .AddCompatRedisCache(o =>
            {
                o.DefaultAbsoluteExpiration = expiration ?? TimeSpan.FromHours(1);
                o.WriteBehind = writeBehind;
            });
        if (logger is not null)
        {
            services.AddSingleton<ILogger<CompatRedisCache>>(logger);
        }

        services.AddSingleton(sp => CompatChatClient.CreateBuilder(fixture.Options()).UseCompatCache().Build(sp));
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task An_answer_cached_by_one_process_is_a_hit_in_another()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = Process(redis);
        await using var third = Process(redis);
        Assert.IsType<CompatRedisCache>(first.GetRequiredService<IDistributedCache>());
        string question = $"What is shared? {Guid.NewGuid()}";
        int before = fixture.Upstream;

        var answer = await first.GetRequiredService<IChatClient>().GetResponseAsync(question);
        Assert.Equal(before + 1, fixture.Upstream);

        var cached = await third.GetRequiredService<IChatClient>().GetResponseAsync(question);
        Assert.Equal(before + 1, fixture.Upstream);
        Assert.Equal(answer.Text, cached.Text);
        Assert.Equal(0, third.GetRequiredService<CompatRedisCache>().FailureCount);
    }

    [Fact]
    public async Task Entries_written_without_an_expiration_get_the_default_one_under_the_connection_prefix()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var process = Process(redis, expiration: TimeSpan.FromMinutes(10));

        await process.GetRequiredService<IChatClient>().GetResponseAsync($"Expire me {Guid.NewGuid()}");

        var connection = process.GetRequiredService<CompatRedisConnection>();
        var keys = connection.Multiplexer.GetServer(connection.Multiplexer.GetEndPoints()[0]).Keys(pattern: "*").ToList();
        var key = Assert.Single(keys);
        Assert.StartsWith("compatai:cache:", key.ToString(), StringComparison.Ordinal);
        var ttl = await connection.Multiplexer.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        // An entry written with its own expiration keeps it.
        var cache = process.GetRequiredService<IDistributedCache>();
        await cache.SetAsync("own", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromDays(2) });
        var own = await connection.Multiplexer.GetDatabase().KeyTimeToLiveAsync("compatai:cache:own");
        Assert.InRange(own!.Value, TimeSpan.FromDays(1.9), TimeSpan.FromDays(2));
    }

    [Fact]
    public async Task While_redis_is_down_requests_succeed_uncached_and_caching_resumes_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        var logger = new CapturingLogger<CompatRedisCache>();
        await using var process = Process(redis, logger);
        var client = process.GetRequiredService<IChatClient>();
        var cache = process.GetRequiredService<CompatRedisCache>();
        var connection = process.GetRequiredService<CompatRedisConnection>();
        long measured = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CompatTelemetry.MeterName && instrument.Name == CompatRedisCache.FailuresMetric)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref measured, value));
        listener.Start();
        string question = $"Asked during an outage {Guid.NewGuid()}";

        await redis.StopAsync();
        await Redis.WaitUntilAsync(() => !connection.IsConnected, "noticing Redis is down");
        int before = fixture.Upstream;
        var first = await client.GetResponseAsync(question);
        var second = await client.GetResponseAsync(question);

        Assert.False(string.IsNullOrEmpty(first.Text));
        Assert.False(string.IsNullOrEmpty(second.Text));
        Assert.Equal(before + 2, fixture.Upstream);
        Assert.Equal(4, cache.FailureCount); // a failed read (a miss) and a skipped write per request
        Assert.Equal(4, Interlocked.Read(ref measured));
        Assert.Equal(1, logger.Count(LogLevel.Warning, "Response cache: Redis failed on get"));

        await redis.StartAgainAsync();
        await Redis.WaitUntilAsync(() => connection.IsConnected, "reconnecting");
        await client.GetResponseAsync(question);
        await client.GetResponseAsync(question);
        Assert.Equal(before + 3, fixture.Upstream);
        Assert.Equal(4, cache.FailureCount);
        Assert.Equal(1, logger.Count(LogLevel.Information, "Response cache: Redis answers again."));
    }

    [Fact]
    public async Task A_write_behind_set_returns_before_redis_answers_and_what_is_read_after_it_sees_the_entry()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var process = Process(redis);
        await using var other = Process(redis);
        var cache = process.GetRequiredService<CompatRedisCache>();
        byte[] value = [1, 2, 3];
        await cache.GetAsync("warm"); // connected and idle
        using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);

        // Redis holds every write until it is unpaused: the set returns all the same, its answer is pending.
        await PauseWritesAsync(admin);
        var set = cache.SetAsync("entry", value, new DistributedCacheEntryOptions());
        Assert.True(set.IsCompletedSuccessfully);
        var flush = cache.FlushAsync();
        var read = cache.GetAsync("entry");
        Assert.False(flush.IsCompleted);

        await UnpauseAsync(admin);
        await flush;
        Assert.Equal(value, await read); // ordered after the write on the same connection
        Assert.Equal(value, await other.GetRequiredService<IDistributedCache>().GetAsync("entry"));
        Assert.Equal(0, cache.FailureCount);
    }

    [Fact]
    public async Task Disposing_the_cache_waits_for_pending_writes_and_later_writes_wait_for_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var process = Process(redis);
        await using var other = Process(redis);
        var cache = process.GetRequiredService<CompatRedisCache>();
        await cache.GetAsync("warm");
        using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);

        await PauseWritesAsync(admin);
        await cache.SetAsync("before", [1], new DistributedCacheEntryOptions());
        var disposing = cache.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        var after = cache.SetAsync("after", [2], new DistributedCacheEntryOptions());
        Assert.False(after.IsCompleted);

        await UnpauseAsync(admin);
        await disposing;
        await after;
        var reader = other.GetRequiredService<IDistributedCache>();
        Assert.Equal([1], await reader.GetAsync("before"));
        Assert.Equal([2], await reader.GetAsync("after"));
    }

    [Fact]
    public async Task Without_write_behind_a_set_returns_when_redis_has_answered()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var process = Process(redis, writeBehind: false);
        var cache = process.GetRequiredService<CompatRedisCache>();
        await cache.GetAsync("warm");
        using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);

        await PauseWritesAsync(admin);
        var set = cache.SetAsync("entry", [7], new DistributedCacheEntryOptions());
        Assert.False(set.IsCompleted);

        await UnpauseAsync(admin);
        await set;
        Assert.Equal([7], await cache.GetAsync("entry"));
    }

    [Fact]
    public void A_non_positive_default_expiration_and_a_missing_connection_are_clear_errors()
    {
        using var noConnection = new ServiceCollection().AddCompatRedisCache().BuildServiceProvider();
        var missing = Assert.Throws<InvalidOperationException>(() => noConnection.GetRequiredService<IDistributedCache>());
        Assert.Contains("AddCompatRedisCache() needs the Redis connection", missing.Message, StringComparison.Ordinal);

        using var connection = new CompatRedisConnection(Microsoft.Extensions.Options.Options.Create(new CompatRedisOptions { Configuration = "127.0.0.1:1", ConnectTimeout = TimeSpan.FromMilliseconds(100) }));
        var error = Assert.Throws<InvalidOperationException>(() => new CompatRedisCache(connection, Microsoft.Extensions.Options.Options.Create(new CompatRedisCacheOptions { DefaultAbsoluteExpiration = TimeSpan.Zero })));
        Assert.Contains("DefaultAbsoluteExpiration", error.Message, StringComparison.Ordinal);
        var pending = Assert.Throws<InvalidOperationException>(() => new CompatRedisCache(connection, Microsoft.Extensions.Options.Options.Create(new CompatRedisCacheOptions { MaxPendingWrites = 0 })));
        Assert.Contains("MaxPendingWrites", pending.Message, StringComparison.Ordinal);
    }

    /// <summary>Makes Redis hold every client's write commands (and what each such client sends after one) for up to a minute.</summary>
    private static Task PauseWritesAsync(ConnectionMultiplexer admin) => admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "PAUSE", "60000", "WRITE");

    private static Task UnpauseAsync(ConnectionMultiplexer admin) => admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "UNPAUSE");
}
