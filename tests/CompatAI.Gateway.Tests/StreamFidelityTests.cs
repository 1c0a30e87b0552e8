using System.Net;
using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests;

/// <summary>What the gateway keeps of the upstream's stream, through the real CompatAI client to a loopback upstream.</summary>
public sealed class StreamFidelityTests
{
    [Fact]
    public async Task Every_chunk_keeps_the_upstreams_created_value_like_the_json_answer()
    {
        // The upstream stamps its chunks and its JSON answer with created = 1 (1970), a value no clock produces today.
        await using var upstream = await LoopbackUpstream.StartAsync(LoopbackUpstream.ChatAnswer("kept"));
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Providers:acme:Provider"] = "openai",
            ["CompatAI:Providers:acme:Endpoint"] = upstream.BaseAddress.ToString(),
            ["CompatAI:Providers:acme:ApiKey"] = "sk-test",
            ["CompatAI:Providers:acme:ListUpstreamModels"] = "false",
        });

        using var streamed = await server.Http.PostAsync("v1/chat/completions", new StringContent(
            """{"model":"acme/m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        var chunks = (await Sse.ReadAllAsync(streamed)).Where(e => e.Data != "[DONE]").ToList();
        Assert.True(chunks.Count >= 2, $"{chunks.Count} chunks");
        foreach (var chunk in chunks)
        {
            using var document = JsonDocument.Parse(chunk.Data);
            Assert.Equal(1, document.RootElement.GetProperty("created").GetInt64());
        }

        using var json = await server.Http.PostAsync("v1/chat/completions", new StringContent(
            """{"model":"acme/m","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        using var answer = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal(1, answer.RootElement.GetProperty("created").GetInt64());
    }

    [Fact]
    public async Task A_cookie_set_by_the_upstream_does_not_ride_along_on_later_requests()
    {
        var answer = LoopbackUpstream.ChatAnswer("ok");
        await using var upstream = await LoopbackUpstream.StartAsync(context =>
        {
            context.Response.Headers.SetCookie = "session=client-a; Path=/";
            return answer(context);
        });
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Providers:acme:Provider"] = "openai",
            ["CompatAI:Providers:acme:Endpoint"] = upstream.BaseAddress.ToString(),
            ["CompatAI:Providers:acme:ApiKey"] = "sk-test",
            ["CompatAI:Providers:acme:ListUpstreamModels"] = "false",
        });

        for (var i = 0; i < 2; i++)
        {
            using var response = await server.Http.PostAsync("v1/chat/completions", new StringContent(
                """{"model":"acme/m","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, upstream.Requests.Count);
        Assert.All(upstream.Requests, r => Assert.False(r.Headers.ContainsKey("cookie"), "a cookie reached the upstream"));
    }
}
