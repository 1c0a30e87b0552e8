using System.Diagnostics;
using System.Text.Json;
using CompatAI.Emulator;
using CompatAI.Gateway.Replicas.Tests.Infrastructure;

namespace CompatAI.Gateway.Replicas.Tests;

/// <summary>
/// Three gateway processes sharing one Redis: a provider's Retry-After, a cached answer and the analytics seen by one
/// replica hold for all of them. Each test uses its own provider (its own emulator personality), so what one test
/// sends never shows in another's counts.
/// </summary>
[Collection(ReplicasCollection.Name)]
public sealed class SharedStateTests : IClassFixture<SharedStateTests.Cluster>
{
    private readonly Cluster _cluster;

    public SharedStateTests(Cluster cluster) => _cluster = cluster;

    [Fact]
    public async Task A_Retry_After_seen_by_one_replica_stops_traffic_to_that_provider_from_all_of_them()
    {
        var p1Before = _cluster.ChatRequestsTo(Cluster.P1Personality);
        var p2Before = _cluster.ChatRequestsTo(Cluster.P2Personality);
        _cluster.Emulator.EnqueueFault(Cluster.P1Personality, EmulatorFault.WithStatus(429, TimeSpan.FromMinutes(2)));

        // Replica 1 tries p1, gets 429 with Retry-After, and falls over to p2.
        var replica1 = _cluster.Replicas[0];
        using (var first = await ReplicaCluster.PostChatAsync(replica1, "fallback", "cooldown first"))
        {
            var (servedBy, text) = await _cluster.ReadOkAsync(replica1, first);
            Assert.Equal(("p2", "You said: cooldown first"), (servedBy, text));
        }

        Assert.Equal(p1Before + 1, _cluster.ChatRequestsTo(Cluster.P1Personality));

        // Replica 1 shares the cooldown in the background once it has moved on; wait until it is in Redis (and so published).
        await _cluster.WaitForRedisKeyAsync("route:cooldown:*", TimeSpan.FromSeconds(30));

        // Replicas 2 and 3 never saw that 429; p1 answers normally again, yet they skip it for its Retry-After.
        for (var i = 0; i < 6; i++)
        {
            var replica = _cluster.Replicas[1 + (i % 2)];
            using var response = await ReplicaCluster.PostChatAsync(replica, "fallback", $"cooldown {i}");
            var (servedBy, text) = await _cluster.ReadOkAsync(replica, response);
            Assert.True(servedBy == "p2", $"{replica.Name} request {i} was served by {servedBy}, not p2: p1 is cooling down.\n{_cluster.Diagnostics()}");
            Assert.Equal($"You said: cooldown {i}", text);
        }

        Assert.Equal(p1Before + 1, _cluster.ChatRequestsTo(Cluster.P1Personality));
        Assert.Equal(p2Before + 7, _cluster.ChatRequestsTo(Cluster.P2Personality));
    }

    [Fact]
    public async Task C_An_answer_cached_by_replica_1_is_a_hit_on_replica_3()
    {
        var question = $"cache me {Guid.NewGuid():N}";
        var before = _cluster.ChatRequestsTo(Cluster.CachedPersonality);
        var entriesBefore = await _cluster.CountRedisKeysAsync("cache:*");

        using var miss = await ReplicaCluster.PostChatAsync(_cluster.Replicas[0], Cluster.CachedModel, question);
        var (_, missText) = await _cluster.ReadOkAsync(_cluster.Replicas[0], miss);
        Assert.Equal("miss", ReplicaCluster.Header(miss, "x-compat-cache"));
        Assert.Equal(before + 1, _cluster.ChatRequestsTo(Cluster.CachedPersonality));

        // The entry is stored write-behind (the default): sent before the answer, confirmed after it.
        await _cluster.WaitForRedisKeysAsync("cache:*", entriesBefore + 1, TimeSpan.FromSeconds(30));

        using var hit = await ReplicaCluster.PostChatAsync(_cluster.Replicas[2], Cluster.CachedModel, question);
        var (_, hitText) = await _cluster.ReadOkAsync(_cluster.Replicas[2], hit);
        Assert.True(ReplicaCluster.Header(hit, "x-compat-cache") == "hit", $"replica-3 answered x-compat-cache: '{ReplicaCluster.Header(hit, "x-compat-cache")}'.\n{_cluster.Diagnostics()}");
        Assert.Equal($"You said: {question}", missText);
        Assert.Equal(missText, hitText);
        Assert.Equal(before + 1, _cluster.ChatRequestsTo(Cluster.CachedPersonality));
    }

    [Fact]
    public async Task D_Analytics_on_any_replica_show_the_requests_of_all_of_them()
    {
        const int Requests = 9;
        for (var i = 0; i < Requests; i++)
        {
            var replica = _cluster.Next();
            using var response = await ReplicaCluster.PostChatAsync(replica, Cluster.CountedModel, $"count {i} {Guid.NewGuid():N}");
            await _cluster.ReadOkAsync(replica, response);
        }

        Assert.Equal(Requests, _cluster.ChatRequestsTo(Cluster.CountedPersonality));

        // Every replica reports to Redis; wait (bounded) until each one's answer includes all nine, then check it is exactly nine.
        var stopwatch = Stopwatch.StartNew();
        var seen = new long[ReplicaCluster.ReplicaCount];
        while (true)
        {
            for (var r = 0; r < ReplicaCluster.ReplicaCount; r++)
            {
                seen[r] = await RequestsTodayAsync(_cluster.Replicas[r], Cluster.CountedProvider);
            }

            if (seen.All(s => s >= Requests) || stopwatch.Elapsed > TimeSpan.FromSeconds(30))
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.True(seen.All(s => s == Requests), $"/v1/analytics requests today for '{Cluster.CountedProvider}' per replica: {string.Join(", ", seen)}; expected {Requests} on each.\n{_cluster.Diagnostics()}");
    }

    private static async Task<long> RequestsTodayAsync(GatewayReplica replica, string provider)
    {
        var analytics = JsonDocument.Parse(await replica.Http.GetStringAsync("v1/analytics")).RootElement;
        return analytics.GetProperty("providers").EnumerateArray()
            .Where(row => row.GetProperty("provider").GetString() == provider)
            .Sum(row => row.GetProperty("day").GetProperty("requests").GetInt64());
    }

    /// <summary>Fallback p1 → p2, the response cache on, the management API on (loopback only).</summary>
    public sealed class Cluster : ReplicaCluster
    {
        // openai's 429 is a rate limit (a cooldown); groq's emulated 429 body is a used-up quota, which is no cooldown.
        public const string P1Personality = "openai";
        public const string P2Personality = "groq";
        public const string CachedPersonality = "deepseek";
        public const string CachedModel = "cached/deepseek-chat";
        public const string CountedPersonality = "mistral";
        public const string CountedProvider = "counted";
        public const string CountedModel = "counted/mistral-small-latest";

        protected override void Configure(IDictionary<string, string> settings)
        {
            AddProvider(settings, "p1", P1Personality, "gpt-4o-mini");
            AddProvider(settings, "p2", P2Personality, "llama-3.3-70b-versatile");
            AddProvider(settings, "cached", CachedPersonality, "deepseek-chat");
            AddProvider(settings, CountedProvider, CountedPersonality, "mistral-small-latest");
            settings["CompatAI:Fallback:0"] = "p1";
            settings["CompatAI:Fallback:1"] = "p2";
            settings["CompatAI:Gateway:ResponseCache:Enabled"] = "true";
            settings["CompatAI:Gateway:ResponseCache:Expiration"] = "00:10:00";
        }
    }
}
