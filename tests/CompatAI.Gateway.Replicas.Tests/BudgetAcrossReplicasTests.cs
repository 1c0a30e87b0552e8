using System.Net;
using System.Text.Json;
using CompatAI.Gateway.Replicas.Tests.Infrastructure;

namespace CompatAI.Gateway.Replicas.Tests;

/// <summary>A budget of N requests, kept in Redis, admits exactly N across three replicas under concurrent load.</summary>
[Collection(ReplicasCollection.Name)]
public sealed class BudgetAcrossReplicasTests : IClassFixture<BudgetAcrossReplicasTests.Cluster>
{
    private readonly Cluster _cluster;

    public BudgetAcrossReplicasTests(Cluster cluster) => _cluster = cluster;

    [Fact]
    public async Task B_A_budget_of_N_requests_admits_exactly_N_across_replicas_under_50_concurrent_callers()
    {
        const int Callers = 50;

        // One request per replica first, one after another: each replica has then run its budget path once (and spent 1).
        foreach (var replica in _cluster.Replicas)
        {
            using var warm = await ReplicaCluster.PostChatAsync(replica, Cluster.Model, $"warm up {replica.Name}");
            await _cluster.ReadOkAsync(replica, warm);
        }

        using var start = new SemaphoreSlim(0);
        var calls = Enumerable.Range(0, Callers).Select(async i =>
        {
            var replica = _cluster.Next();
            await start.WaitAsync();
            using var response = await ReplicaCluster.PostChatAsync(replica, Cluster.Model, $"spend {i}");
            return (replica.Name, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }).ToList();
        start.Release(Callers);
        var results = await Task.WhenAll(calls);

        var admitted = results.Count(r => r.StatusCode == HttpStatusCode.OK);
        var refused = results.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        var summary = string.Join("\n", results.GroupBy(r => (r.Name, r.StatusCode)).OrderBy(g => g.Key.Name, StringComparer.Ordinal)
            .Select(g => $"{g.Key.Name} {(int)g.Key.StatusCode} x{g.Count()}: {g.First().Body[..Math.Min(g.First().Body.Length, 300)]}"));
        const int Left = Cluster.Limit - ReplicaCluster.ReplicaCount;
        Assert.True(admitted == Left && refused.Count == Callers - Left,
            $"{admitted} admitted and {refused.Count} refused with 429 of {Callers}; expected {Left} and {Callers - Left}.\n{summary}\n{_cluster.Diagnostics()}");

        // Every refusal is the budget's OpenAI-shaped error, and only admitted requests reached the provider.
        Assert.All(refused, r => Assert.Equal("budget_exceeded", JsonDocument.Parse(r.Body).RootElement.GetProperty("error").GetProperty("type").GetString()));
        Assert.Equal(Cluster.Limit, _cluster.ChatRequestsTo(Cluster.Personality));
        Assert.Equal(Callers / ReplicaCluster.ReplicaCount + 1, results.Count(r => r.Name == "replica-1")); // round-robin reached every replica
    }

    /// <summary>One provider under an app-wide daily budget of <see cref="Limit"/> requests.</summary>
    public sealed class Cluster : ReplicaCluster
    {
        public const int Limit = 23; // 3 warm-up requests, then 20 of the 50 concurrent ones
        public const string Personality = "openai";
        // A model id without a price: a Requests budget needs no cost estimate, and the test stays about the count. (With a
        // priced model, a fresh gateway's first concurrent requests all load the tokenizer for the estimate at once.)
        public const string UpstreamModel = "replicas-metered-1";
        public const string Model = "metered/" + UpstreamModel;

        protected override void Configure(IDictionary<string, string> settings)
        {
            AddProvider(settings, "metered", Personality, UpstreamModel);
            settings["CompatAI:Gateway:Budgets:0:Name"] = "replicas";
            settings["CompatAI:Gateway:Budgets:0:Scope"] = "App";
            settings["CompatAI:Gateway:Budgets:0:Window"] = "Day";
            settings["CompatAI:Gateway:Budgets:0:Limit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["CompatAI:Gateway:Budgets:0:Unit"] = "Requests";
        }
    }
}
