using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Tests.Management;

/// <summary>The management API over real HTTP, with two emulator-backed providers behind the gateway.</summary>
public sealed class ManagementApiTests
{
    private static readonly string[] Routes = ["/v1/providers", "/v1/routing", "/v1/performance", "/v1/analytics", "/v1/capabilities"];

    [Fact]
    public async Task Every_endpoint_reports_the_traffic_it_saw_and_never_a_key()
    {
        await using var setup = await ManagementSetup.StartAsync();
        long alphaInput = 0, alphaOutput = 0, betaTokens = 0;
        for (var i = 0; i < 2; i++)
        {
            var (status, body) = await setup.ChatAsync($"alpha/{ManagementSetup.AlphaModel}", "count me", "sk-client-one");
            Assert.Equal(200, status);
            var usage = JsonDocument.Parse(body).RootElement.GetProperty("usage");
            alphaInput += usage.GetProperty("prompt_tokens").GetInt64();
            alphaOutput += usage.GetProperty("completion_tokens").GetInt64();
        }

        var (betaStatus, betaBody) = await setup.ChatAsync($"beta/{ManagementSetup.BetaModel}", "what does it cost", "sk-client-two");
        Assert.Equal(200, betaStatus);
        betaTokens += JsonDocument.Parse(betaBody).RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64();

        var providers = await GetJsonAsync(setup.Http, "v1/providers");
        var alpha = ByName(providers.GetProperty("data"), "name", "alpha");
        Assert.Equal("configured", alpha.GetProperty("kind").GetString());
        Assert.Equal("groq", alpha.GetProperty("catalogProvider").GetString());
        Assert.True(alpha.GetProperty("keySet").GetBoolean());
        Assert.Equal("own key", alpha.GetProperty("keyMode").GetString());
        Assert.Equal([ManagementSetup.AlphaModel], alpha.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(0, alpha.GetProperty("fallbackPosition").GetInt32());
        Assert.Equal("healthy", alpha.GetProperty("health").GetProperty("state").GetString());
        Assert.Equal("built-in", ByName(providers.GetProperty("data"), "name", "echo").GetProperty("kind").GetString());

        var performance = await GetJsonAsync(setup.Http, "v1/performance");
        var alphaSeries = ByName(performance.GetProperty("data"), "provider", "alpha");
        Assert.Equal(ManagementSetup.AlphaModel, alphaSeries.GetProperty("model").GetString());
        foreach (var window in new[] { "1m", "15m", "1h" })
        {
            var w = alphaSeries.GetProperty("windows").GetProperty(window);
            Assert.Equal(2, w.GetProperty("attempts").GetInt64());
            Assert.Equal(2, w.GetProperty("successes").GetInt64());
            Assert.Equal(1.0, w.GetProperty("successRate").GetDouble());
            Assert.Equal(2, w.GetProperty("latencyMs").GetProperty("samples").GetInt64());
            Assert.True(w.GetProperty("latencyMs").GetProperty("p99").GetDouble() >= w.GetProperty("latencyMs").GetProperty("p50").GetDouble());
            Assert.Equal(alphaInput, w.GetProperty("inputTokens").GetInt64());
            Assert.Equal(alphaOutput, w.GetProperty("outputTokens").GetInt64());
        }

        var timeline = ByName(performance.GetProperty("providers"), "provider", "alpha").GetProperty("timeline");
        Assert.Equal(60, timeline.GetArrayLength());
        Assert.Equal(2, timeline.EnumerateArray().Sum(p => p.GetProperty("attempts").GetInt64()));

        var analytics = await GetJsonAsync(setup.Http, "v1/analytics");
        var alphaUsage = analytics.GetProperty("data").EnumerateArray().Single(r => r.GetProperty("provider").GetString() == "alpha");
        Assert.Equal(KeyId("sk-client-one"), alphaUsage.GetProperty("client").GetString());
        Assert.Equal(2, alphaUsage.GetProperty("day").GetProperty("requests").GetInt64());
        Assert.Equal(alphaInput, alphaUsage.GetProperty("month").GetProperty("inputTokens").GetInt64());
        Assert.Equal(alphaOutput, alphaUsage.GetProperty("month").GetProperty("outputTokens").GetInt64());
        var betaUsage = analytics.GetProperty("data").EnumerateArray().Single(r => r.GetProperty("provider").GetString() == "beta");
        Assert.Equal(KeyId("sk-client-two"), betaUsage.GetProperty("client").GetString());
        // The emulator's openrouter personality reports usage.cost = total_tokens × 0.000001 USD.
        Assert.Equal(betaTokens * 0.000001, betaUsage.GetProperty("month").GetProperty("cost").GetProperty("USD").GetDouble(), 9);
        Assert.Equal(0, analytics.GetProperty("ensembles").GetProperty("total").GetInt64());

        var capabilities = await GetJsonAsync(setup.Http, "v1/capabilities");
        var model = ByName(capabilities.GetProperty("data"), "model", $"alpha/{ManagementSetup.AlphaModel}");
        Assert.Equal("catalog profile 'groq'", model.GetProperty("source").GetString());
        var expectedWindow = ProviderCatalog.Default.Get("groq").GetContextWindow(ManagementSetup.AlphaModel);
        var window1 = model.GetProperty("capabilities").GetProperty("contextWindowTokens");
        Assert.Equal(expectedWindow, window1.ValueKind == JsonValueKind.Null ? null : window1.GetInt32());

        var routing = await GetJsonAsync(setup.Http, "v1/routing");
        var chain = routing.GetProperty("chains")[0];
        Assert.Equal("fallback", chain.GetProperty("name").GetString());
        Assert.Equal(["alpha", "beta"], chain.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("alpha", chain.GetProperty("currentChoice").GetString());
        Assert.Equal(4, chain.GetProperty("circuitBreaker").GetProperty("minimumThroughput").GetInt32());

        foreach (var route in Routes)
        {
            var text = await setup.Http.GetStringAsync(route.TrimStart('/'));
            Assert.DoesNotContain(ManagementSetup.EmulatorKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-client-one", text, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-client-two", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Fallback_decisions_breaker_and_time_to_first_token_reach_routing_health_and_performance()
    {
        await using var setup = await ManagementSetup.StartAsync();
        setup.FailAlpha(4);
        for (var i = 0; i < 5; i++)
        {
            var (status, body) = await setup.ChatAsync("fallback", "chain");
            Assert.True(status == 200, body);
        }

        using (var stream = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"beta/{{ManagementSetup.BetaModel}}","stream":true,"messages":[{"role":"user","content":"stream it"}]}""", Encoding.UTF8, "application/json"),
        })
        {
            using var response = await setup.Http.SendAsync(stream);
            Assert.Contains("[DONE]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var routing = await GetJsonAsync(setup.Http, "v1/routing");
        Assert.Equal(5, routing.GetProperty("decisionsTotal").GetInt64());
        var decisions = routing.GetProperty("decisions").EnumerateArray().ToList();
        Assert.All(decisions, d => Assert.Equal("beta", d.GetProperty("chosen").GetString()));
        var newest = decisions[0].GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString())).ToList();
        Assert.Equal([("alpha", "circuit_open"), ("beta", "success")], newest);
        var oldest = decisions[^1].GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString())).ToList();
        Assert.Equal([("alpha", "ServerError"), ("beta", "success")], oldest);
        Assert.Equal("beta", routing.GetProperty("chains")[0].GetProperty("currentChoice").GetString());

        var providers = await GetJsonAsync(setup.Http, "v1/providers");
        var health = ByName(providers.GetProperty("data"), "name", "alpha").GetProperty("health");
        Assert.Equal("unhealthy", health.GetProperty("state").GetString());
        Assert.Equal("open", health.GetProperty("breaker").GetString());
        Assert.Equal("closed", ByName(providers.GetProperty("data"), "name", "beta").GetProperty("health").GetProperty("breaker").GetString());

        var performance = await GetJsonAsync(setup.Http, "v1/performance");
        var alpha = ByName(performance.GetProperty("providers"), "provider", "alpha").GetProperty("windows").GetProperty("1h");
        Assert.Equal(4, alpha.GetProperty("failures").GetInt64());
        Assert.Equal(1, alpha.GetProperty("skipped").GetInt64());
        Assert.Equal(0.0, alpha.GetProperty("successRate").GetDouble());
        var beta = ByName(performance.GetProperty("providers"), "provider", "beta").GetProperty("windows").GetProperty("1h");
        Assert.Equal(6, beta.GetProperty("successes").GetInt64());
        Assert.Equal(1, beta.GetProperty("timeToFirstTokenMs").GetProperty("samples").GetInt64());
    }

    [Fact]
    public async Task Gateway_chain_decisions_name_each_entry_tried_for_json_and_streams()
    {
        await using var setup = await ManagementSetup.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Chains:pair:0"] = $"alpha/{ManagementSetup.AlphaModel}",
            ["CompatAI:Gateway:Chains:pair:1"] = $"beta/{ManagementSetup.BetaModel}",
        });
        setup.FailAlpha(1);
        Assert.Equal(200, (await setup.ChatAsync("pair", "json")).Status);
        setup.FailAlpha(1);
        using (var stream = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"pair","stream":true,"messages":[{"role":"user","content":"stream"}]}""", Encoding.UTF8, "application/json"),
        })
        {
            using var response = await setup.Http.SendAsync(stream);
            Assert.Contains("[DONE]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(200, (await setup.ChatAsync("pair", "alpha is back")).Status);

        var decisions = (await GetJsonAsync(setup.Http, "v1/routing")).GetProperty("decisions").EnumerateArray().ToList();
        Assert.Equal(3, decisions.Count);
        Assert.All(decisions, d => Assert.Equal("pair", d.GetProperty("route").GetString()));
        static List<(string?, string?)> Attempts(JsonElement d) =>
            [.. d.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString()))];
        Assert.Equal([("alpha", "success")], Attempts(decisions[0]));
        Assert.Equal("alpha", decisions[0].GetProperty("chosen").GetString());
        foreach (var failedOver in decisions.Skip(1))
        {
            Assert.Equal([("alpha", "ServerError"), ("beta", "success")], Attempts(failedOver));
            Assert.Equal("beta", failedOver.GetProperty("chosen").GetString());
        }

        var alpha = ByName((await GetJsonAsync(setup.Http, "v1/performance")).GetProperty("providers"), "provider", "alpha").GetProperty("windows").GetProperty("1h");
        Assert.Equal(3, alpha.GetProperty("attempts").GetInt64());
        Assert.Equal(2, alpha.GetProperty("failures").GetInt64());
    }

    [Fact]
    public async Task Admin_key_is_required_when_configured_and_never_appears_in_answers_or_logs()
    {
        const string adminKey = "adm-secret-7781-do-not-log";
        const string wrongKey = "adm-wrong-key-4410";
        await using var setup = await ManagementSetup.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Management:AdminKey"] = adminKey,
            ["CompatAI:Gateway:Keys:0"] = "client-key-1",
        });
        Assert.Equal(200, (await setup.ChatAsync("echo/echo-1", "traffic", "client-key-1")).Status);

        foreach (var route in Routes.Append("/openapi/management.json"))
        {
            foreach (var key in new string?[] { null, "client-key-1", wrongKey })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, route.TrimStart('/'));
                if (key is not null)
                {
                    request.Headers.Authorization = new("Bearer", key);
                }

                using var refused = await setup.Http.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
                var body = await refused.Content.ReadAsStringAsync();
                Assert.Equal("invalid_admin_key", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
                Assert.DoesNotContain(adminKey, body, StringComparison.Ordinal);
                Assert.DoesNotContain(wrongKey, body, StringComparison.Ordinal);
            }

            using var allowed = new HttpRequestMessage(HttpMethod.Get, route.TrimStart('/'));
            allowed.Headers.Authorization = new("Bearer", adminKey);
            using var ok = await setup.Http.SendAsync(allowed);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.DoesNotContain(adminKey, await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The page holds no data: it is served without the key and asks for it.
        using var page = await setup.Http.GetAsync("dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        Assert.Contains(setup.Server.Logs.Lines, e => e.Contains("admin key", StringComparison.Ordinal));
        Assert.DoesNotContain(setup.Server.Logs.Lines, e => e.Contains(adminKey, StringComparison.Ordinal) || e.Contains(wrongKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_an_admin_key_only_loopback_requests_are_answered()
    {
        // Behind a reverse proxy, ASP.NET Core's forwarded-headers middleware sets the client's real address.
        static void BehindProxy(WebApplication app) => app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
        await using var setup = await ManagementSetup.StartAsync(configureApp: BehindProxy);

        foreach (var route in Routes)
        {
            using var local = await setup.Http.GetAsync(route.TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);

            using var request = new HttpRequestMessage(HttpMethod.Get, route.TrimStart('/'));
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            using var remote = await setup.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, remote.StatusCode);
            var error = JsonDocument.Parse(await remote.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal("loopback_only", error.GetProperty("code").GetString());
            Assert.Contains("CompatAI:Gateway:Management:AdminKey", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains(setup.Server.Logs.Lines, e => e.Contains("203.0.113.7", StringComparison.Ordinal) && e.Contains("loopback", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_an_admin_key_a_remote_caller_with_the_key_is_answered()
    {
        static void BehindProxy(WebApplication app) => app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
        await using var setup = await ManagementSetup.StartAsync(new Dictionary<string, string?> { ["CompatAI:Gateway:Management:AdminKey"] = "adm-remote-1" }, BehindProxy);
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/providers");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Authorization = new("Bearer", "adm-remote-1");
        using var response = await setup.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_admin_key_that_is_also_a_client_key_fails_at_startup_without_naming_it()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ManagementSetup.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Management:AdminKey"] = "shared-key-9917",
            ["CompatAI:Gateway:Keys:0"] = "shared-key-9917",
        }));
        Assert.Contains("CompatAI:Gateway:Management:AdminKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("shared-key-9917", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_describes_exactly_the_management_routes_and_each_answers()
    {
        await using var setup = await ManagementSetup.StartAsync();
        var document = await GetJsonAsync(setup.Http, "openapi/management.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Routes.Order(StringComparer.Ordinal), paths);
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var get = path.Value.GetProperty("get");
            Assert.True(get.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _), path.Name);
            Assert.False(string.IsNullOrWhiteSpace(get.GetProperty("summary").GetString()));
            using var response = await setup.Http.GetAsync(path.Name.TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Router_and_ensemble_tags_on_a_providers_responses_become_decisions_and_ensemble_outcomes()
    {
        // A provider whose own pipeline routes or runs an ensemble tags its responses with the library's keys
        // (RouterChatClient: compatai.route.*, EnsembleChatClient: compatai.ensemble.*); the gateway shows them.
        var routed = new ScriptedChatClient
        {
            OnResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "routed"))
            {
                AdditionalProperties = new()
                {
                    ["compatai.route.strategy"] = "cost",
                    ["compatai.route.candidate"] = "cheap-one",
                    ["compatai.route.score"] = 0.25,
                    ["compatai.route.rank"] = 1,
                },
            }),
        };
        var ensemble = new ScriptedChatClient
        {
            OnResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "voted"))
            {
                AdditionalProperties = new()
                {
                    ["compatai.ensemble.mode"] = "vote",
                    ["compatai.ensemble.winner"] = "member-b",
                    ["compatai.ensemble.members"] = new List<string> { "a", "b", "c" },
                },
            }),
        };
        await using var server = await GatewayServer.StartAsync(
            configure: g => g.AddChatClient("routed", routed, "auto").AddChatClient("ens", ensemble, "trio"),
            management: true);
        foreach (var model in new[] { "routed/auto", "ens/trio" })
        {
            using var response = await server.Http.PostAsync("v1/chat/completions", new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var routing = await GetJsonAsync(server.Http, "v1/routing");
        var decision = Assert.Single(routing.GetProperty("decisions").EnumerateArray());
        Assert.Equal("routed", decision.GetProperty("route").GetString());
        Assert.Equal("router: cost", decision.GetProperty("strategy").GetString());
        Assert.Equal("cheap-one", decision.GetProperty("chosen").GetString());
        Assert.Equal("cost strategy chose cheap-one (rank 1, score 0.25)", decision.GetProperty("reason").GetString());

        var ensembles = (await GetJsonAsync(server.Http, "v1/analytics")).GetProperty("ensembles");
        Assert.Equal(1, ensembles.GetProperty("total").GetInt64());
        var outcome = Assert.Single(ensembles.GetProperty("recent").EnumerateArray());
        Assert.Equal("ens", outcome.GetProperty("provider").GetString());
        Assert.Equal("vote", outcome.GetProperty("mode").GetString());
        Assert.Equal("member-b", outcome.GetProperty("winner").GetString());
        Assert.Equal(3, outcome.GetProperty("members").GetInt32());
    }

    [Fact]
    public async Task Without_the_management_services_the_gateway_serves_no_management_routes()
    {
        await using var server = await GatewayServer.StartAsync();
        using var providers = await server.Http.GetAsync("v1/providers");
        Assert.Equal(HttpStatusCode.NotFound, providers.StatusCode);
        using var dashboard = await server.Http.GetAsync("dashboard/");
        Assert.Equal(HttpStatusCode.NotFound, dashboard.StatusCode);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static JsonElement ByName(JsonElement array, string property, string value) =>
        array.EnumerateArray().Single(e => e.GetProperty(property).GetString() == value);

    /// <summary>The documented client key id: "key-" and the first 12 hex digits of the key's SHA-256.</summary>
    private static string KeyId(string key) => "key-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];
}
