using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Tests;

/// <summary>The gateway's limits (<c>CompatAI:Gateway:Limits</c>) and input hygiene, over real HTTP on loopback.</summary>
public sealed class LimitsTests
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("error").Clone();
    }

    [Fact]
    public async Task A_full_gateway_answers_429_with_retry_after_and_serves_again_when_a_slot_frees()
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
                ["CompatAI:Gateway:Limits:MaxConcurrentRequests"] = "2",
                ["CompatAI:Gateway:Limits:MaxQueuedRequests"] = "0",
                ["CompatAI:Gateway:Limits:RetryAfter"] = "00:00:03",
            },
            g => g.AddChatClient("slow", blocking));

        const string body = """{"model":"slow/m","messages":[{"role":"user","content":"hi"}]}""";
        var first = server.Http.PostAsync("v1/chat/completions", Json(body));
        var second = server.Http.PostAsync("v1/chat/completions", Json(body));
        await entered.WaitAsync();
        await entered.WaitAsync();

        using (var refused = await server.Http.PostAsync("v1/chat/completions", Json(body)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
            var error = await ErrorOf(refused);
            Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
            Assert.Equal("gateway_busy", error.GetProperty("code").GetString());
        }

        // Health checks are not limited.
        using (var health = await server.Http.GetAsync("healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        release.SetResult();
        using (var a = await first)
        using (var b = await second)
        {
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
            Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        }

        using var again = await server.Http.PostAsync("v1/chat/completions", Json(body));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(3, blocking.Calls.Count);
    }

    [Theory]
    [InlineData("""{"model":"echo/echo-1","model":"other/x","messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"echo/echo-1","stream":false,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", "stream")]
    [InlineData("""{"model":"echo/echo-1","messages":[{"role":"user","role":"system","content":"hi"}]}""", "messages[0].role")]
    public async Task Duplicate_keys_are_a_400_naming_the_key(string body, string key)
    {
        await using var server = await GatewayServer.StartAsync();
        using var response = await server.Http.PostAsync("v1/chat/completions", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal("duplicate_key", error.GetProperty("code").GetString());
        Assert.Equal(key, error.GetProperty("param").GetString());
        Assert.Contains($"'{key}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_values_echoed_in_errors_and_logs_are_capped_and_escaped()
    {
        await using var server = await GatewayServer.StartAsync();
        var model = "nope-" + new string('x', 1_000_000) ;
        var forged = "evil\ninfo: Request 42 served by 'admin'\r\n";
        using var response = await server.Http.PostAsync("v1/chat/completions", Json(JsonSerializer.Serialize(new { model = forged + model, messages = new[] { new { role = "user", content = "hi" } } })));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(raw.Length < 2_000, $"the error body is {raw.Length} characters");
        var message = (await ErrorOf(response)).GetProperty("message").GetString()!;
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
        Assert.Contains("evil\\u000ainfo", message, StringComparison.Ordinal);
        Assert.Contains("chars)", message, StringComparison.Ordinal);
        foreach (var line in server.Logs.Lines)
        {
            Assert.DoesNotContain("\ninfo: Request 42", line, StringComparison.Ordinal);
            Assert.True(line.Length < 5_000, $"a log line is {line.Length} characters");
        }
    }

    [Fact]
    public async Task A_body_that_does_not_arrive_in_time_is_a_408()
    {
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Limits:RequestBodyTimeout"] = "00:00:00.300",
        });

        // Headers announce 1000 bytes; 20 arrive, then the client stalls (within Kestrel's 5 s data-rate grace).
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = $"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + """{"model":"echo/echo""";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var status = await reader.ReadLineAsync();
        Assert.Equal("HTTP/1.1 408 Request Timeout", status);
        var rest = await reader.ReadToEndAsync();
        Assert.Contains("\"code\":\"request_timeout\"", rest, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxConcurrentRequests", "0")]
    [InlineData("MaxQueuedRequests", "-1")]
    [InlineData("RequestBodyTimeout", "00:00:00")]
    [InlineData("MaxConnections", "0")]
    [InlineData("MaxRequestHeadersTotalBytes", "10")]
    public async Task Bad_limits_fail_at_startup_naming_the_key(string key, string value)
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Limits:" + key] = value,
        }));
        Assert.Contains("CompatAI:Gateway:Limits:" + key, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task W3C_trace_context_reaches_the_upstream_only_when_propagation_is_on(bool propagate)
    {
        await using var upstream = await LoopbackUpstream.StartAsync(LoopbackUpstream.ChatAnswer("ok"));
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Providers:acme:Provider"] = "openai",
            ["CompatAI:Providers:acme:Endpoint"] = upstream.BaseAddress.ToString(),
            ["CompatAI:Providers:acme:ApiKey"] = "sk-provider-own-key",
            ["CompatAI:Providers:acme:ListUpstreamModels"] = "false",
            ["CompatAI:Gateway:PropagateTraceContext"] = propagate ? "true" : "false",
        });

        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = Json("""{"model":"acme/m","messages":[{"role":"user","content":"hi"}]}"""),
        };
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        request.Headers.TryAddWithoutValidation("tracestate", "vendor=secret");
        request.Headers.TryAddWithoutValidation("baggage", "user=alice");
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var (_, headers) = Assert.Single(upstream.Requests);
        if (propagate)
        {
            Assert.Contains(traceId, headers["traceparent"], StringComparison.Ordinal);
        }
        else
        {
            Assert.False(headers.ContainsKey("traceparent"));
            Assert.False(headers.ContainsKey("tracestate"));
            Assert.False(headers.ContainsKey("baggage"));
        }
    }
}
