using System.Text.Json;
using CompatAI.Emulator;
using CompatAI.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CompatAI.Gateway.Tests.SharedState;

/// <summary>Two gateway replicas in this process sharing one real redis-server, over one provider emulator.</summary>
public sealed class TwoReplicaTests
{
    private const string ClientKey = "sk-client-replicas-8b41";

    [Fact]
    public async Task An_answer_cached_by_one_replica_is_a_hit_on_the_other()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var setup = await SharedStateSetup.StartAsync(redis.Configuration, new Dictionary<string, string?> { ["CompatAI:Gateway:ResponseCache:Enabled"] = "true" });
        var a = await setup.StartGatewayAsync();
        var b = await setup.StartGatewayAsync();
        var model = $"alpha/{SharedStateSetup.AlphaModel}";

        var first = await SharedStateSetup.ChatAsync(a, model, "shared question");
        var second = await SharedStateSetup.ChatAsync(b, model, "shared question");

        Assert.Equal((200, "miss"), (first.Status, first.Cache));
        Assert.Equal((200, "hit"), (second.Status, second.Cache));
        Assert.Equal(SharedStateSetup.Content(first.Body), SharedStateSetup.Content(second.Body));
        Assert.Equal(1, setup.UpstreamChatRequests);

        var live = await ResponseCacheTests.StreamAsync(a, model);
        var replayed = await ResponseCacheTests.StreamAsync(b, model);
        Assert.Equal(("miss", "hit"), (live.Cache, replayed.Cache));
        Assert.Equal(live.Text, replayed.Text);
        Assert.Equal("stop", replayed.FinishReason);
        Assert.Equal("[DONE]", replayed.Last);
        Assert.Equal(2, setup.UpstreamChatRequests);
    }

    [Fact]
    public async Task A_budget_spent_on_one_replica_refuses_on_the_other()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var setup = await SharedStateSetup.StartAsync(redis.Configuration, new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Budgets:0:Name"] = "app-daily",
            ["CompatAI:Gateway:Budgets:0:Limit"] = "0.000001",
        });
        var a = await setup.StartGatewayAsync();
        var b = await setup.StartGatewayAsync();
        var model = $"beta/{SharedStateSetup.BetaModel}";

        // One answer of beta costs more than the limit: once it is settled, the budget is spent on every replica. The
        // settlement is applied off the request's path, about one Redis round trip after the answer: the test waits for
        // replica a's queue rather than race it.
        var first = await SharedStateSetup.ChatAsync(a, model, "spend", ClientKey);
        await a.Services.GetRequiredService<RedisBudgetStore>().FlushAsync();
        var second = await SharedStateSetup.ChatAsync(b, model, "spend elsewhere", ClientKey);

        Assert.Equal(200, first.Status);
        Assert.Equal(429, second.Status);
        Assert.Equal("budget_exceeded", JsonDocument.Parse(second.Body).RootElement.GetProperty("error").GetProperty("type").GetString());
        var cost = JsonDocument.Parse(first.Body).RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64() * 0.000001m;
        foreach (var gateway in new[] { a, b })
        {
            var budget = (await SharedStateSetup.GetJsonAsync(gateway, "v1/analytics")).GetProperty("budgets").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "app-daily");
            Assert.Equal(cost, budget.GetProperty("spent").GetDecimal());
        }
    }

    [Fact]
    public async Task A_request_budget_admits_exactly_its_limit_across_replicas_under_concurrent_callers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var setup = await SharedStateSetup.StartAsync(redis.Configuration, new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Budgets:0:Name"] = "five-requests",
            ["CompatAI:Gateway:Budgets:0:Unit"] = "Requests",
            ["CompatAI:Gateway:Budgets:0:Limit"] = "5",
        });
        var a = await setup.StartGatewayAsync();
        var b = await setup.StartGatewayAsync();
        var model = $"alpha/{SharedStateSetup.AlphaModel}";

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => SharedStateSetup.ChatAsync(i % 2 == 0 ? a : b, model, $"question {i}", ClientKey)));

        Assert.Equal(5, results.Count(r => r.Status == 200));
        Assert.Equal(11, results.Count(r => r.Status == 429));
        Assert.All(results.Where(r => r.Status == 429), r => Assert.Contains("'five-requests'", r.Body, StringComparison.Ordinal));
        Assert.Equal(5, setup.UpstreamChatRequests);
        var budget = (await SharedStateSetup.GetJsonAsync(b, "v1/analytics")).GetProperty("budgets").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "five-requests");
        Assert.Equal(5m, budget.GetProperty("spent").GetDecimal());
        Assert.Equal("requests", budget.GetProperty("currency").GetString());
    }

    [Theory]
    [InlineData(true, 33)] // the first reservation takes 1, the second a lease of 32 (the most), granting the third
    [InlineData(false, 3)]
    public async Task A_budget_with_ample_headroom_is_leased_in_redis_unless_CompatAI_Redis_Budgets_Leases_is_false(bool leases, int inRedis)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var setup = await SharedStateSetup.StartAsync(redis.Configuration, new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Budgets:0:Name"] = "many-requests",
            ["CompatAI:Gateway:Budgets:0:Unit"] = "Requests",
            ["CompatAI:Gateway:Budgets:0:Limit"] = "10000",
            ["CompatAI:Redis:Budgets:Leases"] = leases ? "true" : "false",
            ["CompatAI:Redis:Budgets:LeaseIdleTime"] = "00:10:00",
        });
        var a = await setup.StartGatewayAsync();
        var model = $"alpha/{SharedStateSetup.AlphaModel}";

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await SharedStateSetup.ChatAsync(a, model, $"question {i}", ClientKey)).Status);
        }

        var connection = a.Services.GetRequiredService<CompatRedisConnection>();
        var counter = await connection.Multiplexer.GetDatabase().StringGetAsync(connection.Key($"budget:many-requests|App||{DateTimeOffset.UtcNow:yyyy-MM-dd}|requests"));
        Assert.Equal(inRedis * 1_000_000_000_000L, (long)counter);

        // The replica's own unused lease is not spent.
        var budget = (await SharedStateSetup.GetJsonAsync(a, "v1/analytics")).GetProperty("budgets").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "many-requests");
        Assert.Equal(3m, budget.GetProperty("spent").GetDecimal());
    }

    [Fact]
    public async Task A_Retry_After_seen_by_one_replicas_fallback_chain_keeps_the_other_replica_off_that_provider()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var setup = await SharedStateSetup.StartAsync(redis.Configuration);
        var a = await setup.StartGatewayAsync();
        var b = await setup.StartGatewayAsync();
        setup.Emulator.EnqueueFault(SharedStateSetup.AlphaPersonality, EmulatorFault.WithStatus(429, TimeSpan.FromMinutes(10)));

        using (var response = await a.Http.SendAsync(SharedStateSetup.ChatRequest("fallback", "first", ClientKey)))
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("beta", response.Headers.GetValues("x-compat-provider").Single());
        }

        // Replica b learns of the cooldown through Redis (pub/sub into its local mirror of the shared route state).
        var store = b.Services.GetRequiredService<IRouteStateStore>();
        await Eventually.HoldsAsync(() => Task.FromResult(store.GetState($"alpha/{SharedStateSetup.AlphaModel}")), s => s.CooldownUntil is not null, "the cooldown reaching replica b");
        var alphaBefore = setup.Emulator.Requests.Count(r => r.Personality == SharedStateSetup.AlphaPersonality);

        using (var response = await b.Http.SendAsync(SharedStateSetup.ChatRequest("fallback", "second", ClientKey)))
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("beta", response.Headers.GetValues("x-compat-provider").Single());
        }

        Assert.Equal(alphaBefore, setup.Emulator.Requests.Count(r => r.Personality == SharedStateSetup.AlphaPersonality));
    }

    [Fact]
    public async Task Two_configured_providers_on_one_catalog_profile_keep_their_own_cooldowns_across_replicas()
    {
        // alpha and gamma are two accounts of the same provider (catalog profile and model): a Retry-After for alpha must
        // not keep the other replica off gamma. Route state is keyed by the configured name, not the catalog's.
        await using var redis = await RedisServer.StartAsync();
        await using var setup = await SharedStateSetup.StartAsync(redis.Configuration, new Dictionary<string, string?>
        {
            ["CompatAI:Fallback:0"] = "alpha",
            ["CompatAI:Fallback:1"] = "gamma",
            ["CompatAI:Fallback:2"] = "beta",
        });
        setup.AddProvider("gamma", SharedStateSetup.AlphaPersonality, SharedStateSetup.AlphaModel);
        var a = await setup.StartGatewayAsync();
        var b = await setup.StartGatewayAsync();
        int Requests(string personality) => setup.Emulator.Requests.Count(r => r.Personality == personality && r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));
        setup.Emulator.EnqueueFault(SharedStateSetup.AlphaPersonality, EmulatorFault.WithStatus(429, TimeSpan.FromMinutes(10)));

        var first = await SharedStateSetup.ChatAsync(a, "fallback", "first", ClientKey);
        Assert.True(first.Status == 200, first.Body);
        Assert.Equal(2, Requests(SharedStateSetup.AlphaPersonality)); // alpha's 429, then gamma's answer
        Assert.Equal(0, Requests("openrouter"));

        var store = b.Services.GetRequiredService<IRouteStateStore>();
        await Eventually.HoldsAsync(() => Task.FromResult(store.GetState($"alpha/{SharedStateSetup.AlphaModel}")), s => s.CooldownUntil is not null, "alpha's cooldown reaching replica b");
        Assert.Null(store.GetState($"gamma/{SharedStateSetup.AlphaModel}").CooldownUntil);
        Assert.Null(store.GetState($"{SharedStateSetup.AlphaPersonality}/{SharedStateSetup.AlphaModel}").CooldownUntil);

        // Replica b skips alpha without calling it and is served by gamma, not by the last member.
        var second = await SharedStateSetup.ChatAsync(b, "fallback", "second", ClientKey);
        Assert.True(second.Status == 200, second.Body);
        Assert.Equal(3, Requests(SharedStateSetup.AlphaPersonality));
        Assert.Equal(0, Requests("openrouter"));
    }

    [Fact]
    public async Task Analytics_and_performance_on_either_replica_show_both_replicas_traffic()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var setup = await SharedStateSetup.StartAsync(redis.Configuration);
        var a = await setup.StartGatewayAsync();
        var b = await setup.StartGatewayAsync();
        var model = $"alpha/{SharedStateSetup.AlphaModel}";
        long input = 0;
        foreach (var (gateway, text) in new[] { (a, "one"), (a, "two"), (b, "three") })
        {
            var (status, _, body) = await SharedStateSetup.ChatAsync(gateway, model, text, ClientKey);
            Assert.Equal(200, status);
            input += JsonDocument.Parse(body).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64();
        }

        foreach (var gateway in new[] { a, b })
        {
            var analytics = await Eventually.HoldsAsync(
                () => SharedStateSetup.GetJsonAsync(gateway, "v1/analytics"),
                j => AlphaRow(j) is { } row && row.GetProperty("day").GetProperty("requests").GetInt64() == 3,
                "three alpha requests in /v1/analytics");
            Assert.Equal("cluster", analytics.GetProperty("figures").GetProperty("scope").GetString());
            var row = AlphaRow(analytics)!.Value;
            Assert.Equal(SharedStateSetup.KeyId(ClientKey), row.GetProperty("client").GetString());
            Assert.Equal(3, row.GetProperty("month").GetProperty("requests").GetInt64());
            Assert.Equal(input, row.GetProperty("month").GetProperty("inputTokens").GetInt64());
            Assert.DoesNotContain(ClientKey, analytics.GetRawText(), StringComparison.Ordinal);

            var performance = await Eventually.HoldsAsync(
                () => SharedStateSetup.GetJsonAsync(gateway, "v1/performance"),
                j => Window(j) is { } w && w.GetProperty("attempts").GetInt64() == 3,
                "three alpha attempts in /v1/performance");
            Assert.Equal("cluster", performance.GetProperty("figures").GetProperty("scope").GetString());
            var window = Window(performance)!.Value;
            Assert.Equal(3, window.GetProperty("successes").GetInt64());
            Assert.Equal(3, window.GetProperty("latencyMs").GetProperty("samples").GetInt64());
            Assert.Equal(input, window.GetProperty("inputTokens").GetInt64());
            Assert.True(window.GetProperty("latencyMs").GetProperty("p99").GetDouble() >= window.GetProperty("latencyMs").GetProperty("p50").GetDouble());
        }
    }

    [Fact]
    public async Task With_Redis_down_requests_still_succeed_health_is_degraded_and_figures_are_local_then_all_is_shared_again()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var setup = await SharedStateSetup.StartAsync(redis.Configuration, new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:ResponseCache:Enabled"] = "true",
            ["CompatAI:Gateway:Budgets:0:Name"] = "per-key",
            ["CompatAI:Gateway:Budgets:0:Scope"] = "Key",
            ["CompatAI:Gateway:Budgets:0:Limit"] = "100",
        });
        var a = await setup.StartGatewayAsync();
        var b = await setup.StartGatewayAsync();
        var model = $"alpha/{SharedStateSetup.AlphaModel}";
        Assert.Equal("ok", (await Health(a)).GetProperty("status").GetString());

        await redis.StopAsync();
        await Eventually.HoldsAsync(() => Health(a), h => h.GetProperty("status").GetString() == "degraded", "a degraded /healthz");
        foreach (var (gateway, text) in new[] { (a, "while down 1"), (b, "while down 2"), (a, "while down 1") })
        {
            var (status, cache, body) = await SharedStateSetup.ChatAsync(gateway, model, text, ClientKey);
            Assert.True(status == 200, body);
            Assert.NotNull(cache);
        }

        // The fallback chain, whose cooldowns and circuit state are shared, serves too.
        var chained = await SharedStateSetup.ChatAsync(b, "fallback", "chain while down", ClientKey);
        Assert.True(chained.Status == 200, chained.Body);

        using (var healthResponse = await b.Http.GetAsync("healthz"))
        {
            Assert.Equal(200, (int)healthResponse.StatusCode);
            var health = JsonDocument.Parse(await healthResponse.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("degraded", health.GetProperty("status").GetString());
            Assert.Equal("redis", health.GetProperty("shared_state").GetString());
            Assert.Contains("Redis", health.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        var local = await SharedStateSetup.GetJsonAsync(a, "v1/analytics");
        Assert.Equal("local", local.GetProperty("figures").GetProperty("scope").GetString());
        Assert.Equal(2, AlphaRow(local)!.Value.GetProperty("day").GetProperty("requests").GetInt64());

        await redis.StartAgainAsync();
        foreach (var gateway in new[] { a, b })
        {
            await Eventually.HoldsAsync(() => Health(gateway), h => h.GetProperty("status").GetString() == "ok", "a healthy /healthz after Redis returned");
        }

        // What each replica served while Redis was down was kept and sent when it returned: both see all four requests.
        foreach (var gateway in new[] { a, b })
        {
            await Eventually.HoldsAsync(
                () => SharedStateSetup.GetJsonAsync(gateway, "v1/analytics"),
                j => j.GetProperty("figures").GetProperty("scope").GetString() == "cluster" && AlphaRow(j)?.GetProperty("day").GetProperty("requests").GetInt64() == 4,
                "the outage's four requests in the cluster's /v1/analytics");
        }

        // Sharing again: an answer cached through one replica is a hit on the other.
        var first = await SharedStateSetup.ChatAsync(a, model, "after the outage", ClientKey);
        var second = await SharedStateSetup.ChatAsync(b, model, "after the outage", ClientKey);
        Assert.Equal((200, "miss"), (first.Status, first.Cache));
        Assert.Equal((200, "hit"), (second.Status, second.Cache));
    }

    private static async Task<JsonElement> Health(Infrastructure.GatewayServer gateway)
    {
        using var response = await gateway.Http.GetAsync("healthz");
        Assert.Equal(200, (int)response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static JsonElement? AlphaRow(JsonElement analytics)
    {
        foreach (var row in analytics.GetProperty("data").EnumerateArray())
        {
            if (row.GetProperty("provider").GetString() == "alpha")
            {
                return row;
            }
        }

        return null;
    }

    private static JsonElement? Window(JsonElement performance)
    {
        foreach (var series in performance.GetProperty("data").EnumerateArray())
        {
            if (series.GetProperty("provider").GetString() == "alpha")
            {
                return series.GetProperty("windows").GetProperty("1h");
            }
        }

        return null;
    }
}
