using System.Net;
using System.Text;
using System.Text.Json;
using CompatAI.Reliability.Infrastructure;
using FsCheck;
using FsCheck.Fluent;

namespace CompatAI.Reliability;

/// <summary>
/// 10,000 generated requests against the real gateway (a seeded FsCheck sample, so every run sends the same ones): valid
/// bodies with random JSON in random fields, truncated bodies, duplicate keys, hostile strings, deep nesting, wrong
/// types. Every answer must be a 2xx or an OpenAI-shaped 4xx: never a 5xx, never a dropped connection.
/// </summary>
public sealed class GatewayFuzzTests
{
    /// <summary>10,000 on every change; <c>COMPATAI_FUZZ_COUNT=100000</c> for the long run (see <c>eng/chaos</c>).</summary>
    private static readonly int Count = int.TryParse(Environment.GetEnvironmentVariable("COMPATAI_FUZZ_COUNT"), out var n) && n > 0 ? n : 10_000;

    private static readonly string[] s_leaves =
    [
        "null", "true", "false", "0", "-1", "1", "2.5", "1e400", "-1e30", "99999999999999999999", "\"\"", "\"hi\"", "\"\\ud800\"",
        "\"\\u0000\"", "\"line\\nbreak\\r\\n\"", "\"user\"", "\"assistant\"", "\"tool\"", "\"system\"", "\"developer\"", "\"text\"",
        "\"image_url\"", "\"auto\"", "\"none\"", "\"required\"", "\"json_schema\"", "\"json_object\"", "\"function\"",
        "\"data:image/png;base64,aGk=\"", "\"data:image/png;base64,!!\"", "\"https://example.com/a.png\"", "\"{\\\"a\\\":1}\"",
        "\"echo/echo-1\"", "\"echo/story-1\"", "\"nope/x\"", "\"/\"", "\"echo/\"", "\"\\u2028\"", "\"é漢字🙂\"",
    ];

    private static readonly string[] s_keys =
    [
        "type", "text", "role", "content", "name", "url", "image_url", "function", "arguments", "id", "tool_calls",
        "tool_call_id", "json_schema", "schema", "include_usage", "parameters", "detail", "strict", "model", "stream",
    ];

    private static readonly string[] s_topFields =
    [
        "model", "messages", "stream", "stream_options", "temperature", "top_p", "max_tokens", "max_completion_tokens", "stop",
        "user", "n", "seed", "frequency_penalty", "presence_penalty", "tools", "tool_choice", "parallel_tool_calls",
        "response_format", "reasoning_effort", "logprobs", "top_logprobs", "functions", "modalities", "audio", "top_k", "metadata",
    ];

    private static Gen<string> Json(int depth)
    {
        var leaf = Gen.Elements(s_leaves);
        if (depth <= 0)
        {
            return leaf;
        }

        var array = Gen.ListOf(Json(depth - 1), 3).Select(items => "[" + string.Join(",", items) + "]");
        var member = Gen.Zip(Gen.Elements(s_keys), Json(depth - 1), (k, v) => $"\"{k}\":{v}");
        var obj = Gen.ListOf(member, 3).Select(members => "{" + string.Join(",", members) + "}");
        return Gen.Frequency((4, leaf), (2, array), (3, obj));
    }

    private static string Valid(bool stream) =>
        $$"""{"model":"echo/echo-1","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hello"}]}]}""";

    /// <summary>One hostile request body.</summary>
    private static Gen<string> Body()
    {
        var replaceTop = Gen.Zip(Gen.Zip(Gen.Elements(s_topFields), Json(2), (field, value) => (Field: field, Value: value)), Gen.Elements(true, false),
            (fv, stream) => Valid(stream).Replace("\"model\":", $"\"{fv.Field}\":{fv.Value},\"model\":", StringComparison.Ordinal));
        var replaceMessage = Gen.Zip(Json(2), Gen.Elements(true, false),
            (value, stream) => Valid(stream).Replace("\"role\":\"user\"", "\"role\":" + value, StringComparison.Ordinal));
        var replaceContent = Gen.Zip(Json(3), Gen.Elements(true, false),
            (value, stream) => Valid(stream).Replace("[{\"type\":\"text\",\"text\":\"hello\"}]", value, StringComparison.Ordinal));
        var truncated = Gen.Zip(Gen.Choose(0, 140), Gen.Elements(true, false), (cut, stream) => Valid(stream)[..Math.Min(cut, Valid(stream).Length)]);
        var duplicate = Gen.Elements("model", "stream", "messages").Select(key => Valid(false).Replace("{\"model\"", $"{{\"{key}\":null,\"model\"", StringComparison.Ordinal));
        var deep = Gen.Choose(1, 300).Select(depth => Valid(false).Replace("\"hello\"", new string('[', depth) + new string(']', depth), StringComparison.Ordinal));
        var garbage = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (char)b)).Select(chars => new string(chars));
        var bigString = Gen.Choose(1, 200_000).Select(n => Valid(true).Replace("hello", new string('x', n), StringComparison.Ordinal));
        return Gen.Frequency(
            (5, replaceTop), (3, replaceMessage), (4, replaceContent), (2, truncated), (1, duplicate), (1, deep), (1, garbage), (1, bigString),
            (2, Gen.Elements(true, false).Select(stream => Valid(stream))));
    }

    [Fact]
    public async Task Ten_thousand_generated_requests_get_a_2xx_or_an_openai_4xx()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>());
        var bodies = Gen.Sample(Body(), Count, new Rnd(20261201UL), 20);
        Assert.Equal(Count, bodies.Length);

        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (body, ct) =>
        {
            string outcome;
            HttpStatusCode status;
            try
            {
                using var response = await gateway.Http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), ct);
                status = response.StatusCode;
                outcome = await response.Content.ReadAsStringAsync(ct);
            }
            catch (HttpRequestException ex)
            {
                failures.Enqueue($"dropped connection ({ex.Message}) for {Shorten(body)}");
                return;
            }

            statuses.AddOrUpdate((int)status, 1, (_, n) => n + 1);
            if ((int)status >= 500 || (int)status < 200 || ((int)status >= 300 && (int)status < 400))
            {
                failures.Enqueue($"HTTP {(int)status} for {Shorten(body)}: {Shorten(outcome)}");
            }
            else if ((int)status >= 400 && !IsOpenAIError(outcome))
            {
                failures.Enqueue($"HTTP {(int)status} without an OpenAI error body for {Shorten(body)}: {Shorten(outcome)}");
            }
        });

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        Assert.Equal(Count, statuses.Values.Sum());
        // Both sides were exercised.
        Assert.True(statuses.GetValueOrDefault(200) >= Count / 20, string.Join(", ", statuses));
        Assert.True(statuses.Where(s => s.Key >= 400).Sum(s => s.Value) >= Count / 5, string.Join(", ", statuses));
    }

    private static bool IsOpenAIError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var error)
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String && message.GetString()!.Length > 0
                && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
