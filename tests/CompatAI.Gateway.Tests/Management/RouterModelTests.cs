using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using CompatAI.Emulator;
using OpenAI;

namespace CompatAI.Gateway.Tests.Management;

/// <summary>
/// <c>CompatAI:Routing</c> served as the model <c>router</c>: the library's RouterChatClient over the gateway's configured
/// providers (alpha: the emulator's groq personality, beta: its openrouter personality), on real HTTP.
/// </summary>
public sealed class RouterModelTests
{
    /// <summary>Router settings over alpha and beta, with prices of the test's own (per million tokens).</summary>
    private static Dictionary<string, string?> Routing(string strategy, decimal alphaPrice, decimal betaPrice) => new()
    {
        ["CompatAI:Routing:Strategy"] = strategy,
        ["CompatAI:Routing:Candidates:0:Provider"] = "alpha",
        ["CompatAI:Routing:Candidates:0:Quality"] = "0.9",
        ["CompatAI:Routing:Candidates:1:Provider"] = "beta",
        ["CompatAI:Routing:Candidates:1:Quality"] = "0.5",
        ["CompatAI:Prices:0:Provider"] = "groq",
        ["CompatAI:Prices:0:Model"] = ManagementSetup.AlphaModel,
        ["CompatAI:Prices:0:Input"] = alphaPrice.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CompatAI:Prices:0:Output"] = alphaPrice.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CompatAI:Prices:1:Provider"] = "openrouter",
        ["CompatAI:Prices:1:Model"] = ManagementSetup.BetaModel,
        ["CompatAI:Prices:1:Input"] = betaPrice.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CompatAI:Prices:1:Output"] = betaPrice.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Cost_routing_picks_the_cheaper_provider_and_the_response_says_which_and_why()
    {
        // beta is configured second but priced lower: cost ranks it first.
        await using var setup = await ManagementSetup.StartAsync(Routing("Cost", alphaPrice: 10m, betaPrice: 1m));

        // The OpenAI SDK sees the serving provider and model in 'model'.
        var sdk = new OpenAIClient(new ApiKeyCredential("sk-client-one"), new OpenAIClientOptions { Endpoint = setup.Server.V1, RetryPolicy = new ClientRetryPolicy(0) })
            .GetChatClient("router");
        var completion = (await sdk.CompleteChatAsync("the cheaper one, please")).Value;
        Assert.Equal($"beta/{ManagementSetup.BetaModel}", completion.Model);
        Assert.Contains("the cheaper one, please", completion.Content[0].Text, StringComparison.Ordinal);

        var (status, headers, body) = await PostAsync(setup, "router", "why beta", stream: false);
        Assert.Equal(200, status);
        Assert.Equal($"beta/{ManagementSetup.BetaModel}", JsonDocument.Parse(body).RootElement.GetProperty("model").GetString());
        Assert.Equal("beta", headers["x-compat-provider"]);
        var route = ParseRoute(headers["x-compat-route"]);
        Assert.Equal("cost", route["strategy"]);
        Assert.Equal("beta", route["candidate"]);
        Assert.Equal("1", route["rank"]);
        Assert.Equal("1", route["attempts"]);
        Assert.True(double.Parse(route["score"], System.Globalization.CultureInfo.InvariantCulture) > 0);

        // A stream is routed the same way and carries the same headers.
        var (streamStatus, streamHeaders, streamBody) = await PostAsync(setup, "router", "stream it", stream: true);
        Assert.Equal(200, streamStatus);
        Assert.Equal("beta", streamHeaders["x-compat-provider"]);
        Assert.Equal("beta", ParseRoute(streamHeaders["x-compat-route"])["candidate"]);
        Assert.Contains($"\"model\":\"beta/{ManagementSetup.BetaModel}\"", streamBody, StringComparison.Ordinal);

        // Only the router sets x-compat-route.
        var (_, direct, _) = await PostAsync(setup, $"alpha/{ManagementSetup.AlphaModel}", "direct", stream: false);
        Assert.False(direct.ContainsKey("x-compat-route"));

        // /v1/routing: the router's strategy, weights and candidates in rank order with score and health, and decisions.
        var routing = await GetJsonAsync(setup, "v1/routing");
        Assert.Equal("model prefix; router: cost", routing.GetProperty("strategy").GetString());
        var router = Assert.Single(routing.GetProperty("routers").EnumerateArray());
        Assert.Equal("router", router.GetProperty("name").GetString());
        Assert.Equal("cost", router.GetProperty("strategy").GetString());
        Assert.Equal("beta", router.GetProperty("currentChoice").GetString());
        Assert.Equal(1.0, router.GetProperty("balancedWeights").GetProperty("cost").GetDouble());
        var candidates = router.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(["beta", "alpha"], candidates.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal([1, 2], candidates.Select(c => c.GetProperty("rank").GetInt32()));
        Assert.True(Math.Abs((candidates[0].GetProperty("score").GetDouble() * 10 / candidates[1].GetProperty("score").GetDouble()) - 1) < 1e-9, "alpha is priced ten times beta");
        Assert.Equal("openrouter", candidates[0].GetProperty("catalogProvider").GetString());
        Assert.Equal(ManagementSetup.BetaModel, candidates[0].GetProperty("model").GetString());
        Assert.Equal("healthy", candidates[0].GetProperty("health").GetProperty("status").GetString());
        Assert.Equal(3, candidates[0].GetProperty("health").GetProperty("observations").GetInt64());
        Assert.Equal("unknown", candidates[1].GetProperty("health").GetProperty("status").GetString());
        Assert.Equal("closed", candidates[1].GetProperty("health").GetProperty("breaker").GetString());

        var decisions = routing.GetProperty("decisions").EnumerateArray().Where(d => d.GetProperty("route").GetString() == "router").ToList();
        Assert.Equal(3, decisions.Count);
        Assert.All(decisions, d =>
        {
            Assert.Equal("router: cost", d.GetProperty("strategy").GetString());
            Assert.Equal("beta", d.GetProperty("chosen").GetString());
            Assert.Equal(1, d.GetProperty("rank").GetInt32());
            Assert.True(d.GetProperty("score").GetDouble() > 0);
            Assert.Equal([("beta", "success")], d.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString())));
        });

        // The router is listed as a model.
        using var models = await setup.Http.GetAsync("v1/models");
        Assert.Contains("\"id\":\"router\"", await models.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_500_or_a_429_from_the_first_ranked_candidate_fails_over_to_the_next_and_the_figures_say_so()
    {
        await using var setup = await ManagementSetup.StartAsync(Routing("Cost", alphaPrice: 1m, betaPrice: 10m));

        setup.FailAlpha(1);
        var (status, headers, body) = await PostAsync(setup, "router", "alpha is down", stream: true);
        Assert.Equal(200, status);
        Assert.Contains($"\"model\":\"beta/{ManagementSetup.BetaModel}\"", body, StringComparison.Ordinal);
        var route = ParseRoute(headers["x-compat-route"]);
        Assert.Equal(("beta", "2", "2"), (route["candidate"], route["rank"], route["attempts"]));

        // The groq personality's 429 is its recorded tokens-per-day quota answer.
        setup.Emulator.EnqueueFault("groq", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(30)));
        (status, headers, _) = await PostAsync(setup, "router", "alpha is rate limited", stream: false);
        Assert.Equal(200, status);
        Assert.Equal("beta", headers["x-compat-provider"]);
        Assert.Equal("2", ParseRoute(headers["x-compat-route"])["rank"]);

        var routing = await GetJsonAsync(setup, "v1/routing");
        var decisions = routing.GetProperty("decisions").EnumerateArray().Where(d => d.GetProperty("route").GetString() == "router").Reverse().ToList();
        Assert.Equal(2, decisions.Count);
        Assert.Equal(
            [("alpha", "ServerError"), ("beta", "success")],
            decisions[0].GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString())));
        Assert.Equal(2, decisions[0].GetProperty("rank").GetInt32());
        Assert.Contains("then cost strategy: beta served at rank 2", decisions[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            [("alpha", "QuotaExceeded"), ("beta", "success")],
            decisions[1].GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString())));
        var router = Assert.Single(routing.GetProperty("routers").EnumerateArray());
        var alpha = router.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "alpha");
        Assert.Equal("degraded", alpha.GetProperty("health").GetProperty("status").GetString());
        Assert.Equal(1.0, alpha.GetProperty("health").GetProperty("errorRate").GetDouble());

        // The failed attempts count against alpha in the figures; beta's successes count for beta.
        var performance = await GetJsonAsync(setup, "v1/performance");
        var hour = (string provider) => performance.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("provider").GetString() == provider).GetProperty("windows").GetProperty("1h");
        Assert.Equal(2, hour("alpha").GetProperty("failures").GetInt64());
        Assert.Equal(2, hour("beta").GetProperty("successes").GetInt64());
    }

    [Fact]
    public async Task Latency_routing_moves_to_the_other_provider_when_the_emulators_latency_changes()
    {
        // A half-life of 1 ms makes the average the last observation; the slow-first-byte fault makes latencies far apart
        // (a loopback answer against 0.8 s and 2 s). Only the choices are asserted.
        var settings = Routing("Latency", 1m, 1m);
        settings["CompatAI:Routing:LatencyHalfLife"] = "00:00:00.001";
        settings["CompatAI:Routing:ExplorationInterval"] = "01:00:00";
        await using var setup = await ManagementSetup.StartAsync(settings);

        // Warm both providers' pipelines (JIT, connections) outside the router, so a cold start is not measured as latency.
        Assert.Equal(200, (await setup.ChatAsync("alpha", "warm up")).Status);
        Assert.Equal(200, (await setup.ChatAsync("beta", "warm up")).Status);
        var served = new List<string>();
        async Task RouteAsync()
        {
            var (status, headers, _) = await PostAsync(setup, "router", "fastest please", stream: false);
            Assert.Equal(200, status);
            served.Add(headers["x-compat-provider"]);
        }

        await RouteAsync(); // neither measured: alpha explored first (configured order)
        setup.Emulator.EnqueueFault("openrouter", EmulatorFault.SlowStart(TimeSpan.FromMilliseconds(800)));
        await RouteAsync(); // beta not measured yet: explored, slow
        await RouteAsync(); // alpha measured faster
        Assert.Equal(["alpha", "beta", "alpha"], served);

        setup.Emulator.EnqueueFault("groq", EmulatorFault.SlowStart(TimeSpan.FromMilliseconds(2000)));
        await RouteAsync(); // alpha turns slow
        await RouteAsync(); // now beta is the faster
        Assert.Equal(["alpha", "beta", "alpha", "alpha", "beta"], served);

        var router = Assert.Single((await GetJsonAsync(setup, "v1/routing")).GetProperty("routers").EnumerateArray());
        Assert.Equal("latency", router.GetProperty("strategy").GetString());
        Assert.Equal("beta", router.GetProperty("currentChoice").GetString());
        var candidates = router.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(["beta", "alpha"], candidates.Select(c => c.GetProperty("name").GetString()));
        Assert.True(candidates[1].GetProperty("score").GetDouble() > candidates[0].GetProperty("score").GetDouble());
        Assert.Equal(candidates[1].GetProperty("score").GetDouble(), candidates[1].GetProperty("health").GetProperty("latencyMs").GetDouble(), 0.1);
    }

    [Theory]
    [InlineData("CompatAI:Routing:Candidates:0:Provider", "ghost", "CompatAI:Routing:Candidates:0:Provider is 'ghost'")]
    [InlineData("CompatAI:Routing:Strategy", "Cheapest", "CompatAI:Routing")]
    [InlineData("CompatAI:Routing:Candiates:0:Provider", "alpha", "CompatAI:Routing")]
    [InlineData("CompatAI:Gateway:Chains:router:0", "alpha", "CompatAI:Gateway:Chains:router has the name of the model 'router' served for CompatAI:Routing")]
    [InlineData("CompatAI:Gateway:Aliases:router", "alpha", "CompatAI:Gateway:Aliases:router has the name of the model 'router' served for CompatAI:Routing")]
    [InlineData("CompatAI:Routing:Candidates:1:Name", "alpha", "Two candidates are named 'alpha'")]
    [InlineData("CompatAI:Routing:Candidates:0:Probe", "OneToken", "CompatAI:Routing:Candidates:0:Probe is 'OneToken', but the gateway does not run active probes")]
    public async Task Bad_router_settings_fail_at_startup_naming_the_key(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CompatAI:Routing:Candidates:0:Provider"] = "alpha",
            ["CompatAI:Routing:Candidates:1:Provider"] = "beta",
            [key] = value,
        };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ManagementSetup.StartAsync(settings));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_named_router_or_a_routing_section_without_candidates_fails_at_startup()
    {
        var clash = await Assert.ThrowsAsync<InvalidOperationException>(() => ManagementSetup.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Routing:Candidates:0:Provider"] = "alpha",
            ["CompatAI:Providers:router:Provider"] = "openai",
            ["CompatAI:Providers:router:ApiKey"] = "sk-x",
        }));
        Assert.Contains("CompatAI:Providers:router has the name of the model 'router' served for CompatAI:Routing", clash.Message, StringComparison.Ordinal);

        var empty = await Assert.ThrowsAsync<InvalidOperationException>(() => ManagementSetup.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Routing:Strategy"] = "Latency",
        }));
        Assert.Contains("CompatAI:Routing:Candidates lists no candidate", empty.Message, StringComparison.Ordinal);
        Assert.Contains("alpha, beta", empty.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> ParseRoute(string header) =>
        header.Split("; ").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static async Task<(int Status, Dictionary<string, string> Headers, string Body)> PostAsync(ManagementSetup setup, string model, string text, bool stream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await setup.Http.SendAsync(request);
        var headers = response.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value), StringComparer.Ordinal);
        return ((int)response.StatusCode, headers, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> GetJsonAsync(ManagementSetup setup, string path)
    {
        using var response = await setup.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
