using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests.SharedState;

/// <summary>The response cache in single-process mode: in memory, over real HTTP and the emulator.</summary>
public sealed class ResponseCacheTests
{
    private static readonly Dictionary<string, string?> CacheOn = new() { ["CompatAI:Gateway:ResponseCache:Enabled"] = "true" };

    [Fact]
    public async Task A_repeated_question_is_answered_from_the_cache_without_calling_the_provider()
    {
        await using var setup = await SharedStateSetup.StartAsync(redis: null, CacheOn);
        var gateway = await setup.StartGatewayAsync();
        var model = $"alpha/{SharedStateSetup.AlphaModel}";

        var first = await SharedStateSetup.ChatAsync(gateway, model, "cache me");
        var second = await SharedStateSetup.ChatAsync(gateway, model, "cache me");
        var other = await SharedStateSetup.ChatAsync(gateway, model, "something else");

        Assert.Equal((200, "miss"), (first.Status, first.Cache));
        Assert.Equal((200, "hit"), (second.Status, second.Cache));
        Assert.Equal((200, "miss"), (other.Status, other.Cache));
        Assert.Equal(SharedStateSetup.Content(first.Body), SharedStateSetup.Content(second.Body));
        Assert.Equal(2, setup.UpstreamChatRequests);

        // The hit was no call to the provider: the figures count the two calls only (no tokens or cost twice).
        var usage = JsonDocument.Parse(first.Body).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64()
            + JsonDocument.Parse(other.Body).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64();
        var alpha = (await SharedStateSetup.GetJsonAsync(gateway, "v1/analytics")).GetProperty("data").EnumerateArray().Single(r => r.GetProperty("provider").GetString() == "alpha");
        Assert.Equal(2, alpha.GetProperty("day").GetProperty("requests").GetInt64());
        Assert.Equal(usage, alpha.GetProperty("day").GetProperty("inputTokens").GetInt64());
        var window = (await SharedStateSetup.GetJsonAsync(gateway, "v1/performance")).GetProperty("data").EnumerateArray().Single(r => r.GetProperty("provider").GetString() == "alpha").GetProperty("windows").GetProperty("1h");
        Assert.Equal(2, window.GetProperty("attempts").GetInt64());
    }

    [Fact]
    public async Task A_cached_stream_is_replayed_as_a_complete_server_sent_event_stream()
    {
        await using var setup = await SharedStateSetup.StartAsync(redis: null, CacheOn);
        var gateway = await setup.StartGatewayAsync();
        var model = $"alpha/{SharedStateSetup.AlphaModel}";

        var live = await StreamAsync(gateway, model);
        var cached = await StreamAsync(gateway, model);

        Assert.Equal("miss", live.Cache);
        Assert.Equal("hit", cached.Cache);
        Assert.Equal(1, setup.UpstreamChatRequests);
        Assert.NotEqual("", live.Text);
        Assert.Equal(live.Text, cached.Text);
        Assert.Equal("stop", cached.FinishReason);
        Assert.Equal(live.FinishReason, cached.FinishReason);
        Assert.Equal("[DONE]", cached.Last);
        Assert.All(cached.Models, m => Assert.StartsWith("alpha/", m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_the_setting_nothing_is_cached_and_no_header_is_sent()
    {
        await using var setup = await SharedStateSetup.StartAsync(redis: null);
        var gateway = await setup.StartGatewayAsync();
        var model = $"alpha/{SharedStateSetup.AlphaModel}";

        var first = await SharedStateSetup.ChatAsync(gateway, model, "not cached");
        var second = await SharedStateSetup.ChatAsync(gateway, model, "not cached");

        Assert.Equal((200, (string?)null), (first.Status, first.Cache));
        Assert.Equal((200, (string?)null), (second.Status, second.Cache));
        Assert.Equal(2, setup.UpstreamChatRequests);
    }

    [Fact]
    public async Task A_zero_or_negative_expiration_fails_at_startup_naming_the_setting()
    {
        await using var setup = await SharedStateSetup.StartAsync(redis: null, new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:ResponseCache:Enabled"] = "true",
            ["CompatAI:Gateway:ResponseCache:Expiration"] = "00:00:00",
        });

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(setup.StartGatewayAsync);
        Assert.Contains("CompatAI:Gateway:ResponseCache:Expiration", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<(string? Cache, string Text, string? FinishReason, string Last, List<string> Models)> StreamAsync(GatewayServer gateway, string model)
    {
        using var request = SharedStateSetup.ChatRequest(model, "stream me, then replay me", "sk-client-one", stream: true);
        using var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var cache = response.Headers.TryGetValues("x-compat-cache", out var values) ? values.Single() : null;
        var events = await Sse.ReadAllAsync(response);
        var text = new StringBuilder();
        string? finish = null;
        var models = new List<string>();
        foreach (var item in events.Where(e => e.Data != "[DONE]"))
        {
            Assert.Equal("message", item.EventType);
            var chunk = JsonDocument.Parse(item.Data).RootElement;
            Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString());
            models.Add(chunk.GetProperty("model").GetString()!);
            foreach (var choice in chunk.GetProperty("choices").EnumerateArray())
            {
                if (choice.GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    text.Append(content.GetString());
                }

                if (choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
                {
                    Assert.Null(finish);
                    finish = reason.GetString();
                }
            }
        }

        return (cache, text.ToString(), finish, events[^1].Data, models);
    }
}
