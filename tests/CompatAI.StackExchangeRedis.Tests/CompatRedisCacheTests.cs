using System.Diagnostics.Metrics;
using CompatAI.StackExchangeRedis.Tests.Infrastructure;
using CompatAI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompatAI.StackExchangeRedis.Tests;

/// <summary>The response cache in a real redis-server, under MEAI's caching client (<c>UseCompatCache</c>) over the emulator.</summary>
public sealed class CompatRedisCacheTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    /// <summary>A process: its own connection, cache and cached chat client.</summary>
    private ServiceProvider Process(RedisServer redis, CapturingLogger<CompatRedisCache>? logger = null, TimeSpan? expiration = null)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddCompatRedis(o => { o.Configuration = redis.Configuration; o.OperationTimeout = Redis.OperationTimeout; })
            .AddCompatRedisCache(o => o.DefaultAbsoluteExpiration = expiration ?? TimeSpan.FromHours(1));
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
    public void A_non_positive_default_expiration_and_a_missing_connection_are_clear_errors()
    {
        using var noConnection = new ServiceCollection().AddCompatRedisCache().BuildServiceProvider();
        var missing = Assert.Throws<InvalidOperationException>(() => noConnection.GetRequiredService<IDistributedCache>());
        Assert.Contains("AddCompatRedisCache() needs the Redis connection", missing.Message, StringComparison.Ordinal);

        using var connection = new CompatRedisConnection(Microsoft.Extensions.Options.Options.Create(new CompatRedisOptions { Configuration = "127.0.0.1:1", ConnectTimeout = TimeSpan.FromMilliseconds(100) }));
        var error = Assert.Throws<InvalidOperationException>(() => new CompatRedisCache(connection, Microsoft.Extensions.Options.Options.Create(new CompatRedisCacheOptions { DefaultAbsoluteExpiration = TimeSpan.Zero })));
        Assert.Contains("DefaultAbsoluteExpiration", error.Message, StringComparison.Ordinal);
    }
}
