using CompatAI.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompatAI.StackExchangeRedis.Tests;

public sealed class CompatRedisConnectionTests
{
    [Fact]
    public async Task Health_is_healthy_while_connected_degraded_while_redis_is_down_and_healthy_again_after()
    {
        await using var redis = await RedisServer.StartAsync();
        var services = new ServiceCollection().AddLogging().AddCompatRedis(o => o.Configuration = redis.Configuration);
        services.AddHealthChecks().AddCompatRedisHealthCheck();
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

        await redis.StopAsync();
        await WaitUntilAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Degraded);
        var degraded = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, degraded.Entries["compatai:redis"].Status);

        await redis.StartAgainAsync();
        await WaitUntilAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy);
    }

    [Fact]
    public async Task Connecting_to_a_server_that_is_down_does_not_throw_and_reports_disconnected()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        using var connection = new CompatRedisConnection(Microsoft.Extensions.Options.Options.Create(new CompatRedisOptions { Configuration = redis.Configuration, ConnectTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.False(connection.IsConnected);
    }

    [Theory]
    [InlineData(false)] // the default: replies read on the thread pool
    [InlineData(true)] // StackExchange.Redis's dedicated socket threads
    public async Task Commands_are_answered_with_either_socket_scheduler(bool dedicated)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var provider = new ServiceCollection().AddCompatRedis(o => { o.Configuration = redis.Configuration; o.DedicatedSocketThreads = dedicated; }).BuildServiceProvider();
        var connection = provider.GetRequiredService<CompatRedisConnection>();
        var database = connection.Multiplexer.GetDatabase();

        await database.StringSetAsync(connection.Key("scheduler"), dedicated ? "dedicated" : "thread-pool");
        Assert.Equal(dedicated ? "dedicated" : "thread-pool", (string?)await database.StringGetAsync(connection.Key("scheduler")));
        Assert.Equal(dedicated, connection.Options.DedicatedSocketThreads);
    }

    [Fact]
    public void A_missing_configuration_string_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new CompatRedisConnection(Microsoft.Extensions.Options.Options.Create(new CompatRedisOptions())));
        Assert.Contains("CompatAI:Redis:Configuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_configuration_string_is_a_clear_error_that_does_not_repeat_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new CompatRedisConnection(Microsoft.Extensions.Options.Options.Create(new CompatRedisOptions { Configuration = "127.0.0.1:1,password=hunter2-secret,connectTimeout=notanumber" })));
        Assert.Contains("CompatAI:Redis:Configuration", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", error.Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 400; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("The condition did not become true within 10 seconds.");
    }
}
