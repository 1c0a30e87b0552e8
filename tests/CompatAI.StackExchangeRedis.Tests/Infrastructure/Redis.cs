using CompatAI.Testing;
using Microsoft.Extensions.Logging;

namespace CompatAI.StackExchangeRedis.Tests.Infrastructure;

/// <summary>Connections to a test server: each one stands for a separate process (its own multiplexer).</summary>
internal static class Redis
{
    /// <summary>
    /// Generous on purpose: tests run on 2 shared cores where a thread-pool stall can hold a reply past the 250 ms default,
    /// and a timeout would (correctly) send a store to its local fallback. The outage tests stop the server instead.
    /// </summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(10);

    public static CompatRedisConnection Connect(RedisServer server, string prefix = "compatai:", ILogger<CompatRedisConnection>? logger = null) =>
        new(Microsoft.Extensions.Options.Options.Create(new CompatRedisOptions { Configuration = server.Configuration, KeyPrefix = prefix, OperationTimeout = OperationTimeout }), logger);

    /// <summary>Polls <paramref name="condition"/> every 25 ms for up to 15 seconds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 600; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"{what} did not happen within 15 seconds.");
    }
}
