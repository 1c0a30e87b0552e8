using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;

namespace CompatAI.Gateway.Tests;

/// <summary>
/// Hundreds of generated requests (a valid body with random JSON dropped into random fields) against the real gateway:
/// none may get a 5xx, and every rejection must be an OpenAI error body.
/// </summary>
public sealed class RandomRequestTests
{
    private static readonly string[] s_leaves =
    [
        "null", "true", "false", "0", "-1", "1", "3", "2.5", "1e400", "-1e30", "99999999999999999999", "\"\"", "\"hi\"",
        "\"\\ud800\"", "\"user\"", "\"assistant\"", "\"tool\"", "\"system\"", "\"function\"", "\"text\"", "\"image_url\"",
        "\"auto\"", "\"none\"", "\"required\"", "\"json_schema\"", "\"json_object\"", "\"function\"", "\"data:image/png;base64,aGk=\"",
        "\"https://example.com/a.png\"", "\"{\\\"a\\\":1}\"", "\"echo/echo-1\"",
    ];

    private static readonly string[] s_keys =
    [
        "type", "text", "role", "content", "name", "url", "image_url", "function", "arguments", "id", "tool_calls",
        "tool_call_id", "json_schema", "schema", "include_usage", "parameters", "detail", "strict",
    ];

    private static readonly string[] s_topFields =
    [
        "model", "messages", "stream", "stream_options", "temperature", "top_p", "max_tokens", "max_completion_tokens", "stop",
        "user", "n", "seed", "frequency_penalty", "presence_penalty", "tools", "tool_choice", "parallel_tool_calls",
        "response_format", "reasoning_effort", "logprobs", "top_logprobs", "functions", "modalities", "audio", "top_k",
    ];

    private static readonly string[] s_messageFields = ["role", "content", "name", "tool_calls", "tool_call_id", "reasoning_content"];

    private static Gen<string> Json(int depth)
    {
        var leaf = Gen.Elements(s_leaves);
        if (depth <= 0)
        {
            return leaf;
        }

        var array = Gen.ListOf(Json(depth - 1), 3).Select(items => "[" + string.Join(",", items) + "]");
        var member = Gen.Zip(Gen.Elements(s_keys), Json(depth - 1), (k, v) => (Key: k, Value: v));
        // Keys are distinct: a duplicate key is a rejection of its own (LimitsTests), not what this explores.
        var obj = Gen.ListOf(member, 3).Select(members => "{" + string.Join(",", members.DistinctBy(m => m.Key).Select(m => $"\"{m.Key}\":{m.Value}")) + "}");
        return Gen.Frequency((4, leaf), (2, array), (3, obj));
    }

    /// <summary>A valid request with one to three fields replaced by random JSON.</summary>
    private static Gen<string> Request()
    {
        var mutation = Gen.OneOf(
            Gen.Zip(Gen.Elements(s_topFields), Json(2), (field, value) => (Target: "top", Field: field, Value: value)),
            Gen.Zip(Gen.Elements(s_messageFields), Json(2), (field, value) => (Target: "message", Field: field, Value: value)),
            Gen.Zip(Gen.Elements("type", "text", "image_url"), Json(2), (field, value) => (Target: "part", Field: field, Value: value)),
            Gen.Zip(Gen.Elements("name", "parameters", "description", "strict"), Json(2), (field, value) => (Target: "tool", Field: field, Value: value)));
        return Gen.ListOf(mutation, 3).Select(mutations =>
        {
            var top = new Dictionary<string, string> { ["model"] = "\"echo/echo-1\"" };
            var message = new Dictionary<string, string> { ["role"] = "\"user\"" };
            var part = new Dictionary<string, string> { ["type"] = "\"text\"", ["text"] = "\"hello\"" };
            var tool = new Dictionary<string, string> { ["name"] = "\"get_weather\"" };
            var withTools = false;
            foreach (var (target, field, value) in mutations)
            {
                switch (target)
                {
                    case "top": top[field] = value; break;
                    case "message": message[field] = value; break;
                    case "part": part[field] = value; break;
                    default: tool[field] = value; withTools = true; break;
                }
            }

            message.TryAdd("content", "[" + Object(part) + "]");
            top.TryAdd("messages", "[" + Object(message) + "]");
            if (withTools)
            {
                top.TryAdd("tools", "[{\"type\":\"function\",\"function\":" + Object(tool) + "}]");
            }

            return Object(top);
        });
    }

    private static string Object(Dictionary<string, string> members) =>
        "{" + string.Join(",", members.Select(m => $"\"{m.Key}\":{m.Value}")) + "}";

    [Fact]
    public async Task Generated_requests_never_get_a_5xx_and_every_rejection_is_an_openai_error()
    {
        await using var server = await GatewayServer.StartAsync();
        var bodies = Gen.Sample(Request(), 400, new Rnd(20261122UL), 10);
        var statuses = new Dictionary<int, int>();
        foreach (var body in bodies)
        {
            using var response = await server.Http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"HTTP {status} for {body}: {text}");
            if (status >= 400)
            {
                var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
                Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
                Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), body);
            }
        }

        // The generator must exercise both sides: plenty of rejections and plenty of accepted requests.
        Assert.True(statuses.GetValueOrDefault(200) >= 20, string.Join(", ", statuses));
        Assert.True(statuses.Where(s => s.Key >= 400).Sum(s => s.Value) >= 100, string.Join(", ", statuses));
    }
}
