using System.Diagnostics;
using System.Globalization;
using CompatAI.Testing;
using Microsoft.Extensions.Options;

namespace CompatAI.Benchmarks;

/// <summary>
/// What sharing a budget through Redis costs per request (run with <c>-- --redis-budgets</c>): one reserve plus one settle
/// on <see cref="InMemoryBudgetStore"/> against the same on <see cref="RedisBudgetStore"/> over a real
/// <c>redis-server</c> on loopback, taking turns request by request so that both see the same background load. The
/// Redis store queues its settlements and applies them in the background, so the request's path holds the reservation
/// and the queuing; the same followed by <see cref="RedisBudgetStore.FlushAsync"/> (the settlement applied before
/// returning, as before the queue), a reservation alone and a bare Redis <c>PING</c> are measured alongside. Reports
/// wall-clock percentiles per request.
/// </summary>
internal static class RedisBudgetComparison
{
    public static async Task RunAsync(int requests)
    {
        await using var server = await RedisServer.StartAsync().ConfigureAwait(false);
        using var connection = new CompatRedisConnection(Options.Create(new CompatRedisOptions { Configuration = server.Configuration }));
        await using var redis = new RedisBudgetStore(connection);
        var memory = new InMemoryBudgetStore();
        var database = connection.Multiplexer.GetDatabase();
        var end = DateTimeOffset.UtcNow.AddDays(1);

        async Task ReserveAndSettle(IBudgetStore store)
        {
            var reservation = await store.TryReserveAsync("bench|App||day", 0.0123m, 1_000_000m, end).ConfigureAwait(false);
            if (!reservation.Granted)
            {
                throw new InvalidOperationException("The benchmark budget ran out; raise its limit.");
            }

            await store.SettleAsync("bench|App||day", 0.0123m, 0.0042m, end).ConfigureAwait(false);
        }

        async Task ReserveSettleAndFlush()
        {
            await ReserveAndSettle(redis).ConfigureAwait(false);
            await redis.FlushAsync().ConfigureAwait(false);
        }

        (string Name, Func<Task> Run)[] operations =
        [
            ("InMemoryBudgetStore reserve+settle", () => ReserveAndSettle(memory)),
            ("RedisBudgetStore reserve+settle (settlement queued, applied in the background)", () => ReserveAndSettle(redis)),
            ("RedisBudgetStore reserve+settle+flush (settlement applied before returning)", ReserveSettleAndFlush),
            ("RedisBudgetStore reserve only (one round trip)", () => redis.TryReserveAsync("bench-reserve|App||day", 0.0123m, 1_000_000m, end).AsTask()),
            ("Redis PING (one round trip)", () => database.PingAsync()),
        ];

        for (var i = 0; i < 2000; i++)
        {
            foreach (var (_, run) in operations)
            {
                await run().ConfigureAwait(false);
            }
        }

        var samples = operations.Select(_ => new List<double>(requests)).ToArray();
        for (var i = 0; i < requests; i++)
        {
            for (var k = 0; k < operations.Length; k++)
            {
                var index = (i + k) % operations.Length;
                long start = Stopwatch.GetTimestamp();
                await operations[index].Run().ConfigureAwait(false);
                samples[index].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        if (redis.IsLocal)
        {
            throw new InvalidOperationException("The Redis store fell back to local state during the run; the numbers would not be Redis's.");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Redis budgets, {requests} requests each (interleaved), {Environment.ProcessorCount} cores, .NET {Environment.Version}, redis-server on 127.0.0.1"));
        Console.WriteLine("| Operation | p50 ms | p90 ms | p99 ms | mean ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (var k = 0; k < operations.Length; k++)
        {
            var sorted = samples[k].Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {operations[k].Name} | {Percentile(sorted, 0.50):0.000} | {Percentile(sorted, 0.90):0.000} | {Percentile(sorted, 0.99):0.000} | {sorted.Average():0.000} |"));
        }

        double baseline = Percentile([.. samples[0].Order()], 0.50);
        double added = Percentile([.. samples[1].Order()], 0.50) - baseline;
        double addedFlushed = Percentile([.. samples[2].Order()], 0.50) - baseline;
        double ping = Percentile([.. samples[4].Order()], 0.50);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Added by Redis at p50: {added:0.000} ms per request on the request's path (goal: under 0.3 ms), {added / ping:0.00} PINGs; {addedFlushed:0.000} ms ({addedFlushed / ping:0.00} PINGs) with the settlement applied before returning."));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
