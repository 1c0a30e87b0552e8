using CompatAI.Emulator;
using CompatAI.Gateway.Replicas.Tests.Infrastructure;

namespace CompatAI.Gateway.Replicas.Tests;

/// <summary>
/// Redis killed under three replicas: they keep serving with local state (no failed request) and report degraded health;
/// when Redis returns they report healthy again and share new state again.
/// </summary>
[Collection(ReplicasCollection.Name)]
public sealed class RedisOutageTests : IClassFixture<RedisOutageTests.Cluster>
{
    private static readonly TimeSpan StateChangeDeadline = TimeSpan.FromSeconds(60);

    private readonly Cluster _cluster;

    public RedisOutageTests(Cluster cluster) => _cluster = cluster;

    [Fact]
    public async Task E_Killing_Redis_degrades_without_failed_requests_and_sharing_resumes_when_it_returns()
    {
        var (healthy, _) = await Health.ReadAsync(_cluster.Replicas[0]);
        Assert.NotEqual(Degraded, healthy, StringComparer.OrdinalIgnoreCase);

        await _cluster.Redis.StopAsync();
        await Health.WaitForAsync(_cluster, Degraded, StateChangeDeadline);

        // Fallback, cache and plain requests, round-robin and concurrently: every one is answered while Redis is gone.
        var calls = Enumerable.Range(0, 30).Select(async i =>
        {
            var replica = _cluster.Next();
            var model = (i % 3) switch { 0 => "fallback", 1 => Cluster.CachedModel, _ => "p2/llama-3.3-70b-versatile" };
            using var response = await ReplicaCluster.PostChatAsync(replica, model, $"during the outage {i}");
            var (_, text) = await _cluster.ReadOkAsync(replica, response);
            return text;
        });
        var answers = await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"You said: during the outage {i}"), answers);
        foreach (var replica in _cluster.Replicas)
        {
            Assert.Equal(Degraded, (await Health.ReadAsync(replica)).Status, StringComparer.OrdinalIgnoreCase);
        }

        await _cluster.Redis.StartAgainAsync();
        await Health.WaitForAsync(_cluster, healthy, StateChangeDeadline);

        // A new Retry-After on replica 1 is honoured by replicas 2 and 3 again.
        var p1Before = _cluster.ChatRequestsTo(Cluster.P1Personality);
        _cluster.Emulator.EnqueueFault(Cluster.P1Personality, EmulatorFault.WithStatus(429, TimeSpan.FromMinutes(2)));
        using (var first = await ReplicaCluster.PostChatAsync(_cluster.Replicas[0], "fallback", "after the outage"))
        {
            Assert.Equal("p2", (await _cluster.ReadOkAsync(_cluster.Replicas[0], first)).ServedBy);
        }

        // Replica 1 shares the cooldown in the background once it has moved on; wait until it is in Redis (and so published).
        await _cluster.WaitForRedisKeyAsync("route:cooldown:*", TimeSpan.FromSeconds(30));

        for (var i = 0; i < 4; i++)
        {
            var replica = _cluster.Replicas[1 + (i % 2)];
            using var response = await ReplicaCluster.PostChatAsync(replica, "fallback", $"after the outage {i}");
            var (servedBy, _) = await _cluster.ReadOkAsync(replica, response);
            Assert.True(servedBy == "p2", $"{replica.Name} request {i} was served by {servedBy} after Redis returned, not p2.\n{_cluster.Diagnostics()}");
        }

        Assert.Equal(p1Before + 1, _cluster.ChatRequestsTo(Cluster.P1Personality));

        // And a new cached answer from replica 1 is a hit on replica 3.
        var question = $"cached after the outage {Guid.NewGuid():N}";
        var entriesBefore = await _cluster.CountRedisKeysAsync("cache:*");
        using var miss = await ReplicaCluster.PostChatAsync(_cluster.Replicas[0], Cluster.CachedModel, question);
        await _cluster.ReadOkAsync(_cluster.Replicas[0], miss);
        Assert.Equal("miss", ReplicaCluster.Header(miss, "x-compat-cache"));
        await _cluster.WaitForRedisKeysAsync("cache:*", entriesBefore + 1, TimeSpan.FromSeconds(30));
        var cachedBefore = _cluster.ChatRequestsTo(Cluster.CachedPersonality);
        using var hit = await ReplicaCluster.PostChatAsync(_cluster.Replicas[2], Cluster.CachedModel, question);
        await _cluster.ReadOkAsync(_cluster.Replicas[2], hit);
        Assert.Equal("hit", ReplicaCluster.Header(hit, "x-compat-cache"));
        Assert.Equal(cachedBefore, _cluster.ChatRequestsTo(Cluster.CachedPersonality));
    }

    private const string Degraded = "degraded";

    /// <summary>Fallback p1 → p2 and the response cache, over a Redis the test kills and restarts.</summary>
    public sealed class Cluster : ReplicaCluster
    {
        public const string P1Personality = "openai"; // its 429 is a rate limit, so a Retry-After starts a cooldown
        public const string CachedPersonality = "deepseek";
        public const string CachedModel = "cached/deepseek-chat";

        protected override void Configure(IDictionary<string, string> settings)
        {
            AddProvider(settings, "p1", P1Personality, "gpt-4o-mini");
            AddProvider(settings, "p2", "groq", "llama-3.3-70b-versatile");
            AddProvider(settings, "cached", CachedPersonality, "deepseek-chat");
            settings["CompatAI:Fallback:0"] = "p1";
            settings["CompatAI:Fallback:1"] = "p2";
            settings["CompatAI:Gateway:ResponseCache:Enabled"] = "true";
            settings["CompatAI:Gateway:ResponseCache:Expiration"] = "00:10:00";
        }
    }
}
