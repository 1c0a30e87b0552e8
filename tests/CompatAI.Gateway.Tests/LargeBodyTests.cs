using System.Net;
using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Tests;

/// <summary>
/// Large request bodies: the large-string path (strings decoded straight from the bytes, outside JsonDocument) must
/// give exactly what the ordinary parse gives, and the body budget (<c>Limits:MaxBufferedRequestBodyBytes</c>) makes
/// bodies that do not fit wait, and refuses them with <c>429</c> when they cannot get in within the body deadline.
/// </summary>
public sealed class LargeBodyTests
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>About 1.5 MB of text with escapes, quotes, non-ASCII and a surrogate pair in it.</summary>
    private static string LargeText(char seed) =>
        string.Concat(Enumerable.Range(0, 30_000).Select(i => $"{seed}{i} \"quoted\" line\n\ttab é 😀 \\ ")) + "end";

    [Fact]
    public async Task Large_strings_reach_the_provider_exactly_as_sent()
    {
        var client = new ScriptedChatClient();
        await using var server = await GatewayServer.StartAsync(configure: g => g.AddChatClient("big", client));
        var user = LargeText('u');
        var system = LargeText('s');
        var body = JsonSerializer.Serialize(new
        {
            model = "big/m",
            messages = new object[]
            {
                new { role = "system", content = system },
                new { role = "user", content = new object[] { new { type = "text", text = "short" }, new { type = "text", text = user } } },
            },
        });
        Assert.True(body.Length > 2_000_000);

        using var response = await server.Http.PostAsync("v1/chat/completions", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (messages, _) = Assert.Single(client.Calls);
        Assert.Equal(system, messages[0].Text);
        var texts = messages[1].Contents.OfType<TextContent>().Select(t => t.Text).ToArray();
        Assert.Equal(["short", user], texts);
    }

    [Fact]
    public async Task A_chunked_body_that_grows_past_its_first_reservation_is_served_whole()
    {
        var client = new ScriptedChatClient();
        await using var server = await GatewayServer.StartAsync(configure: g => g.AddChatClient("big", client));
        var user = LargeText('c');
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { model = "big/m", messages = new object[] { new { role = "user", content = user } } }));
        Assert.True(bytes.Length > 1024 * 1024);

        // No Content-Length: HttpClient sends a body it cannot measure chunked.
        using var content = new StreamContent(new UnmeasuredStream(bytes));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await server.Http.PostAsync("v1/chat/completions", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(content.Headers.ContentLength);
        Assert.Equal(user, Assert.Single(client.Calls).Messages[0].Text);
    }

    [Fact]
    public async Task A_large_string_inside_a_tool_schema_is_kept_as_sent()
    {
        var client = new ScriptedChatClient();
        await using var server = await GatewayServer.StartAsync(configure: g => g.AddChatClient("big", client));
        var description = LargeText('d');
        var body = JsonSerializer.Serialize(new
        {
            model = "big/m",
            messages = new object[] { new { role = "user", content = LargeText('u') } },
            tools = new object[]
            {
                new { type = "function", function = new { name = "lookup", parameters = new { type = "object", properties = new { q = new { type = "string", description } } } } },
            },
        });

        using var response = await server.Http.PostAsync("v1/chat/completions", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, options) = Assert.Single(client.Calls);
        var tool = Assert.IsAssignableFrom<AIFunctionDeclaration>(Assert.Single(options!.Tools!));
        Assert.Equal(description, tool.JsonSchema.GetProperty("properties").GetProperty("q").GetProperty("description").GetString());
    }

    [Theory]
    [InlineData("\\ud800 lone surrogate")]
    [InlineData("\\u00 broken escape")]
    public async Task A_broken_large_string_is_still_a_400(string broken)
    {
        await using var server = await GatewayServer.StartAsync();
        var body = """{"model":"echo/echo-1","messages":[{"role":"user","content":" """ + new string('x', 1_200_000) + broken + "\"}]}";

        using var response = await server.Http.PostAsync("v1/chat/completions", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_json", error.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_marker_sent_by_the_client_is_plain_text()
    {
        var client = new ScriptedChatClient();
        await using var server = await GatewayServer.StartAsync(configure: g => g.AddChatClient("big", client));
        const string forged = "\uFDD00000000000000000#0";
        var body = JsonSerializer.Serialize(new { model = "big/m", messages = new object[] { new { role = "user", content = LargeText('u') }, new { role = "user", content = forged } } });

        using var response = await server.Http.PostAsync("v1/chat/completions", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(forged, Assert.Single(client.Calls).Messages[1].Text);
    }

    [Fact]
    public async Task A_body_that_does_not_fit_in_the_budget_waits_then_gets_a_429_and_fits_once_the_budget_frees()
    {
        var entered = new SemaphoreSlim(0);
        var release = new TaskCompletionSource();
        var blocking = new ScriptedChatClient
        {
            OnResponse = async (_, _, ct) =>
            {
                entered.Release();
                await release.Task.WaitAsync(ct);
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "done")) { FinishReason = ChatFinishReason.Stop };
            },
        };
        await using var server = await GatewayServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["CompatAI:Gateway:MaxRequestBodyBytes"] = "65536",
                ["CompatAI:Gateway:Limits:MaxBufferedRequestBodyBytes"] = "65536",
                ["CompatAI:Gateway:Limits:RequestBodyTimeout"] = "00:00:00.500",
                ["CompatAI:Gateway:Limits:RetryAfter"] = "00:00:02",
            },
            g => g.AddChatClient("slow", blocking));
        var body = JsonSerializer.Serialize(new { model = "slow/m", messages = new object[] { new { role = "user", content = new string('x', 40_000) } } });

        // The first request holds 40 KB of the 64 KiB budget until its response is complete.
        var first = server.Http.PostAsync("v1/chat/completions", Json(body));
        await entered.WaitAsync();

        using (var refused = await server.Http.PostAsync("v1/chat/completions", Json(body)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
            using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("gateway_busy", error.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains("MaxBufferedRequestBodyBytes", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // A small body still fits beside it.
        using (var small = await server.Http.PostAsync("v1/chat/completions", Json("""{"model":"echo/echo-1","messages":[{"role":"user","content":"hi"}]}""")))
        {
            Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        }

        // A waiting body gets in as soon as the first request completes.
        var waiting = server.Http.PostAsync("v1/chat/completions", Json(body));
        release.SetResult();
        using (var a = await first)
        using (var b = await waiting)
        {
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
            Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        }

        Assert.Equal(2, blocking.Calls.Count);
    }

    [Fact]
    public async Task A_budget_smaller_than_the_largest_body_fails_at_startup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Limits:MaxBufferedRequestBodyBytes"] = "1048576",
        }));
        Assert.Contains("CompatAI:Gateway:Limits:MaxBufferedRequestBodyBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRequestBodyBytes", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A readable stream that does not know its length.</summary>
    private sealed class UnmeasuredStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
