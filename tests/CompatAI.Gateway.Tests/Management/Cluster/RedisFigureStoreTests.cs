using CompatAI.Gateway.Management;
using CompatAI.Gateway.Management.Cluster;
using CompatAI.Testing;
using Microsoft.Extensions.Options;

namespace CompatAI.Gateway.Tests.Management.Cluster;

/// <summary>
/// The replicas' figures in a real redis-server: a read says, in the same transaction, whether the batch being sent is
/// already in Redis, so the caller adds it only when it is not (a batch whose sending completes while a read is on its way
/// was once counted twice: /v1/analytics showed 11 requests for 9).
/// </summary>
public sealed class RedisFigureStoreTests
{
    private static readonly DateTimeOffset Day = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Month = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_read_reports_whether_the_batch_being_sent_is_already_in_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = new CompatRedisConnection(Options.Create(new CompatRedisOptions { Configuration = redis.Configuration, KeyPrefix = "figures-test:" }));
        var store = new RedisFigureStore(connection);

        var sent = new FigureBatch();
        sent.AddUsage("mistral", "mistral-small-latest", "client-a", new UsagePeriod(false, Day), 2, 30, 40, currency: null, cost: 0);
        sent.AddUsage("mistral", "mistral-small-latest", "client-a", new UsagePeriod(true, Month), 2, 30, 40, currency: null, cost: 0);
        var notSent = new FigureBatch();
        notSent.AddUsage("mistral", "mistral-small-latest", "client-a", new UsagePeriod(false, Day), 5, 1, 1, currency: null, cost: 0);

        var before = new LedgerTable((Day, Month));
        Assert.False(await store.ReadLedgerAsync(before, (Day, Month), sent.Id));
        Assert.Empty(before.Rows());

        await store.AddAsync(sent);

        var after = new LedgerTable((Day, Month));
        Assert.True(await store.ReadLedgerAsync(after, (Day, Month), sent.Id));
        var row = Assert.Single(after.Rows());
        Assert.Equal(new UsageTotals(2, 30, 40), row.Day);
        Assert.Equal(new UsageTotals(2, 30, 40), row.Month);

        // Another batch's marker is not there, and no batch asked for is simply not added.
        Assert.False(await store.ReadLedgerAsync(new LedgerTable((Day, Month)), (Day, Month), notSent.Id));
        Assert.False(await store.ReadLedgerAsync(new LedgerTable((Day, Month)), (Day, Month), batchId: null));

        // Sending the same batch again counts once.
        await store.AddAsync(sent);
        var again = new LedgerTable((Day, Month));
        Assert.True(await store.ReadLedgerAsync(again, (Day, Month), sent.Id));
        Assert.Equal(new UsageTotals(2, 30, 40), Assert.Single(again.Rows()).Day);
    }

    [Fact]
    public async Task A_stats_read_reports_whether_the_batch_being_sent_is_already_in_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = new CompatRedisConnection(Options.Create(new CompatRedisOptions { Configuration = redis.Configuration, KeyPrefix = "figures-test:" }));
        var store = new RedisFigureStore(connection);
        const long Slot = 118_000_000;

        var sent = new FigureBatch();
        var bucket = sent.Bucket("mistral", "mistral-small-latest", Slot);
        bucket.Attempts = 3;
        bucket.Successes = 3;

        Assert.False(await store.ReadStatsAsync(new BucketTable(Slot), Slot, sent.Id));
        await store.AddAsync(sent);

        var table = new BucketTable(Slot);
        Assert.True(await store.ReadStatsAsync(table, Slot, sent.Id));
        var read = table.BucketFor("mistral", "mistral-small-latest", Slot);
        Assert.Equal((3L, 3L), (read.Attempts, read.Successes));
    }
}
