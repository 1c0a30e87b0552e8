using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using System.Text;
using CompatAI.Gateway.Providers;
using CompatAI.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CompatAI.Gateway.Tests;

/// <summary>Which inbound headers reach an adapter (and a configured provider's upstream), which never do, and that keys never reach the logs.</summary>
public sealed class HeaderContractTests
{
    private const string ClientKey = "sk-client-secret-7f3a9c";
    private const string GatewayKey = "gw-key-b61e2d";

    private static readonly string[] s_forbidden = ["host", "connection", "keep-alive", "proxy-authorization", "te", "upgrade", "transfer-encoding", "content-length", "x-hop", "x-not-allowed", "content-type"];

    private static HttpRequestMessage Request(string model, string? auth = "Bearer " + ClientKey, bool stream = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        if (auth is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", auth);
        }

        request.Headers.TryAddWithoutValidation("x-api-key", ClientKey);
        request.Headers.TryAddWithoutValidation("x-tenant-id", "tenant-42");
        request.Headers.TryAddWithoutValidation("x-request-tag", "blue");
        request.Headers.TryAddWithoutValidation("x-not-allowed", "nope");
        request.Headers.TryAddWithoutValidation("x-hop", "hop-value");
        request.Headers.TryAddWithoutValidation("Connection", "x-hop");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic cHJveHk6c2VjcmV0");
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        return request;
    }

    private static Dictionary<string, string?> Config(params (string Key, string Value)[] extra)
    {
        // The allow-list deliberately names hop-by-hop headers and Host too: they must still never be forwarded.
        var config = new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:ForwardHeaders:0"] = "x-tenant-id",
            ["CompatAI:Gateway:ForwardHeaders:1"] = "X-Request-Tag",
            ["CompatAI:Gateway:ForwardHeaders:2"] = "host",
            ["CompatAI:Gateway:ForwardHeaders:3"] = "connection",
            ["CompatAI:Gateway:ForwardHeaders:4"] = "x-hop",
            ["CompatAI:Gateway:ForwardHeaders:5"] = "proxy-authorization",
            ["CompatAI:Gateway:ForwardHeaders:6"] = "te",
            ["CompatAI:Gateway:ForwardHeaders:7"] = "content-length",
        };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }

        return config;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Adapter_gets_credential_and_allow_listed_headers_only(bool stream)
    {
        var adapter = new RecordingAdapter();
        await using var server = await GatewayServer.StartAsync(Config(), g => g.AddAdapter("rec", adapter));
        using var response = await server.Http.SendAsync(Request("rec/m", stream: stream));
        Assert.Equal(200, (int)response.StatusCode);

        var context = Assert.Single(adapter.Contexts);
        Assert.Equal("rec", context.ProviderName);
        Assert.Equal("m", context.ModelId);
        Assert.Equal(ClientKey, context.Credential);
        Assert.Equal("Bearer " + ClientKey, context.Headers["authorization"]);
        Assert.Equal(ClientKey, context.Headers["x-api-key"]);
        Assert.Equal("tenant-42", context.Headers["x-tenant-id"]);
        Assert.Equal("blue", context.Headers["x-request-tag"]);
        foreach (var name in s_forbidden)
        {
            Assert.False(context.Headers.ContainsKey(name), $"'{name}' must never reach an adapter");
        }
    }

    [Fact]
    public async Task X_api_key_alone_is_the_credential()
    {
        var adapter = new RecordingAdapter();
        await using var server = await GatewayServer.StartAsync(Config(), g => g.AddAdapter("rec", adapter));
        using var response = await server.Http.SendAsync(Request("rec/m", auth: null));
        Assert.Equal(200, (int)response.StatusCode);
        var context = Assert.Single(adapter.Contexts);
        Assert.Equal(ClientKey, context.Credential);
        Assert.False(context.Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task Gateway_keys_protect_the_endpoints_and_stop_pass_through()
    {
        var adapter = new RecordingAdapter();
        await using var server = await GatewayServer.StartAsync(Config(("CompatAI:Gateway:Keys:0", GatewayKey)), g => g.AddAdapter("rec", adapter));

        using (var noKey = Request("rec/m", auth: null))
        {
            noKey.Headers.Remove("x-api-key");
            using var response = await server.Http.SendAsync(noKey);
            Assert.Equal(401, (int)response.StatusCode);
            Assert.Contains("invalid_api_key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var wrongKey = Request("rec/m"))
        {
            wrongKey.Headers.Remove("x-api-key");
            using var response = await server.Http.SendAsync(wrongKey);
            Assert.Equal(401, (int)response.StatusCode);
        }

        using (var models = new HttpRequestMessage(HttpMethod.Get, "v1/models"))
        {
            using var response = await server.Http.SendAsync(models);
            Assert.Equal(401, (int)response.StatusCode);
        }

        Assert.Empty(adapter.Contexts);
        using (var withKey = Request("rec/m", auth: "Bearer " + GatewayKey))
        {
            using var response = await server.Http.SendAsync(withKey);
            Assert.Equal(200, (int)response.StatusCode);
        }

        var context = Assert.Single(adapter.Contexts);
        Assert.Null(context.Credential);
        Assert.False(context.Headers.ContainsKey("authorization"));
        Assert.False(context.Headers.ContainsKey("x-api-key"));
        Assert.Equal("tenant-42", context.Headers["x-tenant-id"]);

        using var health = await server.Http.GetAsync("healthz");
        Assert.Equal(200, (int)health.StatusCode);
    }

    [Fact]
    public async Task Configured_provider_upstream_gets_allow_listed_headers_and_its_own_key()
    {
        await using var upstream = await LoopbackUpstream.StartAsync(c => c.Response.WriteAsync("upstream-ok"));
        await using var server = await GatewayServer.StartAsync(
            Config(("CompatAI:Providers:acme:Provider", "openai"), ("CompatAI:Providers:acme:Endpoint", upstream.BaseAddress.ToString()),
                   ("CompatAI:Providers:acme:ApiKey", "sk-provider-own-key"), ("CompatAI:Providers:acme:ListUpstreamModels", "false")),
            services: s => s.AddSingleton<IProviderClientFactory>(sp => new RecordingClientFactory(sp.GetRequiredService<UpstreamHttpClient>())));
        using var response = await server.Http.SendAsync(Request("acme/big-model"));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("big-model:upstream-ok", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (_, headers) = Assert.Single(upstream.Requests);
        Assert.Equal("Bearer sk-provider-own-key", headers["authorization"]);
        Assert.Equal("tenant-42", headers["x-tenant-id"]);
        Assert.Equal("blue", headers["x-request-tag"]);
        Assert.False(headers.ContainsKey("x-api-key"));
        Assert.False(headers.ContainsKey("x-hop"));
        Assert.False(headers.ContainsKey("x-not-allowed"));
        Assert.False(headers.ContainsKey("proxy-authorization"));
        Assert.DoesNotContain(ClientKey, string.Join(",", headers.Values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_never_appear_in_logs_or_error_bodies()
    {
        var adapter = new RecordingAdapter();
        await using var server = await GatewayServer.StartAsync(Config(), g => g.AddAdapter("rec", adapter));
        var bodies = new List<string>();
        foreach (var model in new[] { "rec/m", "rec/leaky-crash", "nowhere/m" })
        {
            using var response = await server.Http.SendAsync(Request(model));
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        using (var stream = await server.Http.SendAsync(Request("rec/m", stream: true)))
        {
            bodies.Add(await stream.Content.ReadAsStringAsync());
        }

        using (var models = new HttpRequestMessage(HttpMethod.Get, "v1/models"))
        {
            models.Headers.TryAddWithoutValidation("Authorization", "Bearer " + ClientKey);
            using var response = await server.Http.SendAsync(models);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        await using var keyed = await GatewayServer.StartAsync(Config(("CompatAI:Gateway:Keys:0", GatewayKey)), g => g.AddAdapter("rec", adapter));
        using (var wrong = await keyed.Http.SendAsync(Request("rec/m")))
        {
            bodies.Add(await wrong.Content.ReadAsStringAsync());
        }

        using (var right = await keyed.Http.SendAsync(Request("rec/leaky-crash", auth: "Bearer " + GatewayKey)))
        {
            Assert.Equal(502, (int)right.StatusCode);
            bodies.Add(await right.Content.ReadAsStringAsync());
        }

        var logs = server.Logs.AllText + keyed.Logs.AllText;
        Assert.Contains("failed unexpectedly", logs, StringComparison.Ordinal);
        Assert.True(server.Logs.Lines.Count > 10, "expected trace-level logs to be captured");
        foreach (var secret in new[] { ClientKey, GatewayKey })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.All(bodies, b => Assert.DoesNotContain(secret, b, StringComparison.Ordinal));
        }
    }
}
