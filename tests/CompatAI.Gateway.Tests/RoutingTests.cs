using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Providers;
using CompatAI.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CompatAI.Gateway.Tests;

/// <summary>Model-prefix routing, aliases, the default provider, fallback chains, configured providers and pipeline steps.</summary>
public sealed class RoutingTests
{
    private static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(GatewayServer server, string model, string? key = null, bool stream = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"route me"}]}""", Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (stream && response.IsSuccessStatusCode)
        {
            // Fold the SSE text into one element so tests can read the concatenated content.
            var content = string.Concat(text.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l[6..]).RootElement).Where(c => c.TryGetProperty("choices", out var ch) && ch.GetArrayLength() > 0)
                .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : null));
            text = JsonSerializer.Serialize(new { content, done = text.Contains("data: [DONE]", StringComparison.Ordinal) });
        }

        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement, response);
    }

    private static string Content(JsonElement body) =>
        body.TryGetProperty("choices", out var choices) ? choices[0].GetProperty("message").GetProperty("content").GetString()! : body.GetProperty("content").GetString()!;

    [Fact]
    public async Task Prefix_picks_the_provider_and_the_rest_is_the_upstream_model()
    {
        var spy = new ScriptedChatClient();
        await using var server = await GatewayServer.StartAsync(configure: g => g.AddChatClient("spy", spy));
        var (status, body, _) = await PostAsync(server, "spy/org/model-7b");
        Assert.Equal(200, status);
        Assert.Equal("scripted", Content(body));
        Assert.Equal("org/model-7b", spy.Calls.Single().Options!.ModelId);

        // A bare provider name asks for that provider's default model.
        await PostAsync(server, "spy");
        Assert.Null(spy.Calls[1].Options!.ModelId);
    }

    [Fact]
    public async Task Aliases_and_the_default_provider_route_unprefixed_names()
    {
        var spy = new ScriptedChatClient();
        await using var server = await GatewayServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["CompatAI:Gateway:Aliases:fast"] = "echo/echo-1",
                ["CompatAI:Gateway:DefaultProvider"] = "spy",
            },
            g => g.AddChatClient("spy", spy));

        var (status, body, response) = await PostAsync(server, "fast");
        Assert.Equal(200, status);
        Assert.Equal("route me", Content(body));
        Assert.Equal("echo", response.Headers.GetValues("x-compat-provider").Single());

        (status, _, response) = await PostAsync(server, "meta-llama/llama-3-8b");
        Assert.Equal(200, status);
        Assert.Equal("spy", response.Headers.GetValues("x-compat-provider").Single());
        Assert.Equal("meta-llama/llama-3-8b", spy.Calls.Single().Options!.ModelId);

        var models = JsonDocument.Parse(await server.Http.GetStringAsync("v1/models")).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("fast", models);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Fallback_chain_moves_on_before_output_and_names_who_served(bool stream)
    {
        await using var server = await GatewayServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["CompatAI:Gateway:Chains:resilient:0"] = "faults/unavailable",
                ["CompatAI:Gateway:Chains:resilient:1"] = "faults/rate-limited",
                ["CompatAI:Gateway:Chains:resilient:2"] = "echo/echo-1",
                ["CompatAI:Gateway:Chains:doomed:0"] = "faults/unavailable",
                ["CompatAI:Gateway:Chains:doomed:1"] = "faults/rate-limited",
            },
            g => g.AddAdapter("faults", TestProviders.Faults()));

        var (status, body, response) = await PostAsync(server, "resilient", stream: stream);
        Assert.Equal(200, status);
        Assert.Equal("route me", Content(body));
        Assert.Equal("echo", response.Headers.GetValues("x-compat-provider").Single());

        (status, body, response) = await PostAsync(server, "doomed", stream: stream);
        Assert.Equal(429, status);
        Assert.Equal("rate_limit_exceeded", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);

        var models = JsonDocument.Parse(await server.Http.GetStringAsync("v1/models")).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("resilient", models);
        Assert.Contains("doomed", models);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_fallback_list_of_provider_names_is_the_librarys_chain_served_as_model_fallback(bool stream)
    {
        // CompatAI:Fallback is the library's schema: configured provider names, run by FallbackChatClient with CompatAI:FallbackOptions.
        await using var down = await LoopbackUpstream.StartAsync(c =>
        {
            c.Response.StatusCode = 503;
            return c.Response.WriteAsync("""{"error":{"message":"down for maintenance"}}""");
        });
        await using var up = await LoopbackUpstream.StartAsync(LoopbackUpstream.ChatAnswer("from backup"));
        await using var server = await GatewayServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["CompatAI:Providers:primary:Provider"] = "openai",
                ["CompatAI:Providers:primary:Endpoint"] = down.BaseAddress.ToString(),
                ["CompatAI:Providers:primary:ApiKey"] = "sk-primary",
                ["CompatAI:Providers:primary:Model"] = "m-primary",
                ["CompatAI:Providers:primary:Retry:MaxRetries"] = "0",
                ["CompatAI:Providers:primary:ListUpstreamModels"] = "false",
                ["CompatAI:Providers:backup:Provider"] = "openai",
                ["CompatAI:Providers:backup:Endpoint"] = up.BaseAddress.ToString(),
                ["CompatAI:Providers:backup:ApiKey"] = "sk-backup",
                ["CompatAI:Providers:backup:Model"] = "m-backup",
                ["CompatAI:Providers:backup:ListUpstreamModels"] = "false",
                ["CompatAI:Fallback:0"] = "primary",
                ["CompatAI:Fallback:1"] = "backup",
                ["CompatAI:FallbackOptions:CircuitBreaker:Enabled"] = "false",
            });

        var (status, body, response) = await PostAsync(server, "fallback", stream: stream);
        Assert.Equal(200, status);
        Assert.Equal("from backup", Content(body));
        Assert.Equal("backup", response.Headers.GetValues("x-compat-provider").Single());
        Assert.Single(down.Requests);
        var (path, headers) = Assert.Single(up.Requests);
        Assert.Equal("/chat/completions", path);
        Assert.Equal("Bearer sk-backup", headers["authorization"]);
    }

    [Theory]
    [InlineData("CompatAI:Fallback:0", "echo/echo-1", "CompatAI:Gateway:Chains")]
    [InlineData("CompatAI:Fallback:named:0", "echo/echo-1", "CompatAI:Gateway:Chains:named")]
    [InlineData("CompatAI:FallbackOptions:AttemptTimeout", "-00:00:01", "CompatAI:FallbackOptions")]
    public async Task Fallback_settings_outside_the_librarys_schema_fail_at_startup_naming_the_key(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CompatAI:Providers:solo:Provider"] = "openai",
            ["CompatAI:Providers:solo:Endpoint"] = "http://127.0.0.1:9/",
            ["CompatAI:Providers:solo:ApiKey"] = "sk-solo",
            [key] = value,
        };
        if (!key.StartsWith("CompatAI:Fallback:", StringComparison.Ordinal))
        {
            settings["CompatAI:Fallback:0"] = "solo";
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayServer.StartAsync(settings));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_provider_without_key_passes_each_client_credential_through()
    {
        await using var upstream = await LoopbackUpstream.StartAsync(c => c.Response.WriteAsync("up"));
        RecordingClientFactory? factory = null;
        var wrapped = new List<string>();
        await using var server = await GatewayServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["CompatAI:Providers:mine:Provider"] = "openai",
                ["CompatAI:Providers:mine:Endpoint"] = upstream.BaseAddress.ToString(),
                ["CompatAI:Providers:mine:ListUpstreamModels"] = "false",
                ["CompatAI:Providers:owned:Provider"] = "openai",
                ["CompatAI:Providers:owned:ApiKey"] = "sk-owned",
                ["CompatAI:Providers:owned:Endpoint"] = upstream.BaseAddress.ToString(),
                ["CompatAI:Providers:owned:ListUpstreamModels"] = "false",
            },
            g => g.ConfigurePipeline((name, client, _) =>
            {
                lock (wrapped)
                {
                    wrapped.Add(name);
                }

                return new SuffixingChatClient(client, "+" + name);
            }),
            s => s.AddSingleton<IProviderClientFactory>(sp => factory = new RecordingClientFactory(sp.GetRequiredService<UpstreamHttpClient>())));

        var (status, body, _) = await PostAsync(server, "mine/m1", key: "sk-alice");
        Assert.Equal(200, status);
        Assert.Equal("m1:up+mine", Content(body));
        await PostAsync(server, "mine/m1", key: "sk-bob");
        await PostAsync(server, "mine/m1", key: "sk-alice");
        await PostAsync(server, "owned/m2", key: "sk-carol");

        Assert.NotNull(factory);
        var builds = factory.Builds.Where(b => b.ApiKey != "compat-gateway-startup-check").ToList();
        Assert.Contains(("mine", "compat-gateway-startup-check"), factory.Builds);
        Assert.Contains(("owned", "sk-owned"), builds);
        Assert.Contains(("mine", "sk-alice"), builds);
        Assert.Contains(("mine", "sk-bob"), builds);
        Assert.Equal(3, builds.Count); // one client per distinct credential, reused; the owned-key provider never sees client keys
        var auth = upstream.Requests.Select(r => r.Headers["authorization"]).ToList();
        Assert.Equal(["Bearer sk-alice", "Bearer sk-bob", "Bearer sk-alice", "Bearer sk-owned"], auth);
        Assert.Contains("mine", wrapped);
        Assert.Contains("owned", wrapped);
    }

    [Fact]
    public async Task Registering_a_prefix_twice_fails_at_startup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayServer.StartAsync(
            new Dictionary<string, string?> { ["CompatAI:Providers:twin:Provider"] = "openai", ["CompatAI:Providers:twin:ApiKey"] = "k" },
            g => g.AddChatClient("twin", new ScriptedChatClient()),
            s => s.AddSingleton<IProviderClientFactory>(sp => new RecordingClientFactory(sp.GetRequiredService<UpstreamHttpClient>()))));
        Assert.Contains("twin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fallback_chain_naming_an_unknown_provider_fails_at_startup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayServer.StartAsync(
            new Dictionary<string, string?> { ["CompatAI:Gateway:Chains:broken:0"] = "ghost/model" }));
        Assert.Contains("ghost/model", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CompatAI:Gateway:Aliases:fast", "ghost/model", "Aliases:fast")]
    [InlineData("CompatAI:Gateway:DefaultProvider", "ghost", "DefaultProvider")]
    [InlineData("CompatAI:Gateway:MaxRequestBodyBytes", "10", "MaxRequestBodyBytes")]
    public async Task Bad_gateway_settings_fail_at_startup_naming_the_key(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayServer.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    private sealed class SuffixingChatClient(IChatClient inner, string suffix) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, response.Text + suffix)) { FinishReason = response.FinishReason };
        }
    }
}
