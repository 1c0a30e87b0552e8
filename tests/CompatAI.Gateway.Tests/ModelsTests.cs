using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace CompatAI.Gateway.Tests;

/// <summary><c>GET /v1/models</c>: configured models plus the provider's own list (cached), in OpenAI's list shape.</summary>
public sealed class ModelsTests
{
    private static async Task<List<string>> ListAsync(GatewayServer server, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        using var response = await server.Http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("list", root.GetProperty("object").GetString());
        return [.. root.GetProperty("data").EnumerateArray().Select(m =>
        {
            Assert.Equal("model", m.GetProperty("object").GetString());
            Assert.False(string.IsNullOrEmpty(m.GetProperty("owned_by").GetString()));
            return m.GetProperty("id").GetString()!;
        })];
    }

    [Fact]
    public async Task Lists_configured_and_upstream_models_and_caches_the_upstream_list()
    {
        await using var upstream = await LoopbackUpstream.StartAsync(c =>
        {
            c.Response.ContentType = "application/json";
            return c.Response.WriteAsync("""{"object":"list","data":[{"id":"up-large","object":"model"},{"id":"up-small","object":"model"}]}""");
        });
        await using var server = await GatewayServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["CompatAI:Providers:acme:Provider"] = "openai",
                ["CompatAI:Providers:acme:Endpoint"] = new Uri(upstream.BaseAddress, "v1/").ToString(),
                ["CompatAI:Providers:acme:Model"] = "acme-default",
                ["CompatAI:Providers:acme:Models:0"] = "acme-extra",
            });

        var first = await ListAsync(server, "sk-lister");
        var second = await ListAsync(server, "sk-lister");
        Assert.Equal(first, second);
        Assert.Equal(["acme/acme-default", "acme/acme-extra", "acme/up-large", "acme/up-small", "echo/echo-1", "echo/story-1"], first);

        var (path, headers) = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/models", path);
        Assert.Equal("Bearer sk-lister", headers["authorization"]);
    }

    [Fact]
    public async Task A_provider_that_cannot_list_does_not_hide_the_others()
    {
        await using var upstream = await LoopbackUpstream.StartAsync(c =>
        {
            c.Response.StatusCode = 500;
            return c.Response.WriteAsync("boom");
        });
        await using var server = await GatewayServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["CompatAI:Providers:flaky:Provider"] = "openai",
                ["CompatAI:Providers:flaky:Endpoint"] = upstream.BaseAddress.ToString(),
                ["CompatAI:Providers:flaky:Model"] = "flaky-1",
                ["CompatAI:Providers:flaky:Retry:MaxRetries"] = "0",
            });

        var models = await ListAsync(server);
        Assert.Equal(["echo/echo-1", "echo/story-1", "flaky/flaky-1"], models);
        Assert.Contains(server.Logs.Lines, l => l.Contains("could not list its models", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Echo_can_be_switched_off()
    {
        await using var server = await GatewayServer.StartAsync(
            new Dictionary<string, string?> { ["CompatAI:Gateway:EnableEcho"] = "false" },
            g => g.AddChatClient("local", new ScriptedChatClient(), "l-1", "l-2"));
        Assert.Equal(["local/l-1", "local/l-2"], await ListAsync(server));
    }
}
