using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Providers;
using CompatAI.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CompatAI.Gateway.Tests;

/// <summary>One appsettings file behaves the same in the gateway and in <c>services.AddCompatChatClient(name)</c>.</summary>
public sealed class ConfigurationParityTests
{
    [Fact]
    public async Task One_configuration_builds_the_same_provider_pipeline_in_the_gateway_and_in_AddCompatChatClient()
    {
        await using var upstream = await LoopbackUpstream.StartAsync(LoopbackUpstream.ChatAnswer("parity"));
        var settings = new Dictionary<string, string?>
        {
            ["CompatAI:Providers:fast:Provider"] = "groq",
            ["CompatAI:Providers:fast:Endpoint"] = new Uri(upstream.BaseAddress, "v1/chat/completions/").ToString(),
            ["CompatAI:Providers:fast:ApiKey"] = "sk-fast",
            ["CompatAI:Providers:fast:Model"] = "llama-parity",
            ["CompatAI:Providers:fast:Headers:X-Team"] = "blue",
            ["CompatAI:Providers:fast:Retry:MaxRetries"] = "0",
            ["CompatAI:Providers:fast:SystemMerge:SystemRole"] = "Unsupported",
            ["CompatAI:Providers:fast:SystemMerge:InstructionsHeader"] = "[Parity rules]",
            ["CompatAI:Profiles:groq:Headers:X-Profile"] = "from-profile",
        };

        // The gateway, serving the provider's default model under its prefix.
        await using var server = await GatewayServer.StartAsync(settings);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"fast","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("parity", JsonDocument.Parse(text).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        // The library's DI, from the same keys.
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddCompatChatClient("fast");
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var answer = await client.GetResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hello")]);
        Assert.Equal("parity", answer.Text);

        // Same metadata.
        var runtime = server.Services.GetRequiredService<GatewayRuntime>();
        var gatewayClient = Assert.IsType<ConfiguredProviderAdapter>(runtime.Router.Providers["fast"]).ClientFor(null);
        foreach (var metadata in new[] { gatewayClient.GetService<ChatClientMetadata>(), client.GetService<ChatClientMetadata>() })
        {
            Assert.NotNull(metadata);
            Assert.Equal("groq", metadata.ProviderName);
            Assert.Equal(new Uri(upstream.BaseAddress, "v1"), metadata.ProviderUri);
            Assert.Equal("llama-parity", metadata.DefaultModelId);
        }

        // Same wire request: the per-provider middleware options (SystemMerge), the profile override (a header) and the
        // entry's headers and key all applied, in both hosts.
        var requests = upstream.Requests.ToArray();
        var bodies = upstream.Bodies.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(bodies[0]), JsonNode.Parse(bodies[1])), $"gateway: {bodies[0]}\nDI:      {bodies[1]}");
        foreach (var (path, headers) in requests)
        {
            Assert.Equal("/v1/chat/completions", path);
            Assert.Equal("Bearer sk-fast", headers["authorization"]);
            Assert.Equal("blue", headers["x-team"]);
            Assert.Equal("from-profile", headers["x-profile"]);
        }

        Assert.Equal(requests[0].Headers["user-agent"], requests[1].Headers["user-agent"]);
        var body = JsonDocument.Parse(bodies[0]).RootElement;
        Assert.Equal("llama-parity", body.GetProperty("model").GetString());
        var message = Assert.Single(body.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        var merged = message.GetProperty("content").ToString();
        Assert.Contains("[Parity rules]", merged, StringComparison.Ordinal);
        Assert.Contains("Be brief.", merged, StringComparison.Ordinal);
        Assert.Contains("Hello", merged, StringComparison.Ordinal);
    }
}
