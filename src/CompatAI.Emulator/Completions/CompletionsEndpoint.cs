using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// <c>POST /{personality}/v1/completions</c> (DeepSeek: only <c>/v1/beta/completions</c>, its fill-in-the-middle beta):
/// a deterministic text: <c> continues '&lt;last word of the prompt&gt;'</c>, then <c> before '&lt;first word of the
/// suffix&gt;'</c> when a suffix is given, one streamed chunk per word; <c>max_tokens</c> counts words (finish
/// <c>length</c>), a <c>stop</c> string cuts the text before it, <c>echo</c> prepends the prompt, <c>logprobs</c> adds
/// a logprobs object with -0.5 per word.
/// </summary>
internal static class CompletionsEndpoint
{
    private static readonly Dictionary<string, string> s_routes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = "completions",
        ["deepseek"] = "beta/completions",
        ["vllm"] = "completions",
        ["llamacpp"] = "completions",
    };

    /// <summary>Whether <paramref name="route"/> is this personality's completions route.</summary>
    public static bool Serves(Personality personality, string route) =>
        s_routes.TryGetValue(personality.Name, out var served) && string.Equals(served, route, StringComparison.Ordinal);

    /// <summary>Parses and checks the request; on success the plan, otherwise the error status and body.</summary>
    public static (Plan? Plan, int Status, JsonObject? Error) Prepare(Personality personality, string body)
    {
        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request is null)
        {
            return (null, 400, personality.MalformedJsonBody());
        }

        if (request["prompt"] is not JsonValue promptValue || !promptValue.TryGetValue<string>(out var prompt))
        {
            return (null, 400, personality.ErrorBody(400, "'prompt' is a required property and must be a string.", "invalid_request_error", null, "prompt"));
        }

        var model = request["model"] is JsonValue m && m.TryGetValue<string>(out var id) ? id : personality.Models[0];
        var suffix = request["suffix"] is JsonValue s && s.TryGetValue<string>(out var text) ? text : null;
        var words = new List<string> { "continues", $"'{LastWord(prompt)}'" };
        if (suffix is not null)
        {
            words.AddRange(["before", $"'{FirstWord(suffix)}'"]);
        }

        var finish = "stop";
        if (request["stop"] is JsonArray stops)
        {
            foreach (var stop in stops.Select(n => n?.GetValue<string>()).OfType<string>())
            {
                var at = words.FindIndex(w => w.Contains(stop, StringComparison.Ordinal));
                if (at >= 0)
                {
                    words.RemoveRange(at, words.Count - at);
                }
            }
        }

        if (request["max_tokens"] is JsonValue max && max.TryGetValue<int>(out var maxTokens) && maxTokens < words.Count)
        {
            words.RemoveRange(maxTokens, words.Count - maxTokens);
            finish = "length";
        }

        var echo = request["echo"] is JsonValue e && e.TryGetValue<bool>(out var doEcho) && doEcho;
        var logprobs = request["logprobs"] is JsonValue l && l.TryGetValue<int>(out _);
        var stream = request["stream"] is JsonValue st && st.TryGetValue<bool>(out var streaming) && streaming;
        var includeUsage = request["stream_options"]?["include_usage"] is JsonValue u && u.TryGetValue<bool>(out var usage) && usage;
        var promptTokens = Words(prompt) + (suffix is null ? 0 : Words(suffix));
        var ids = new IdSource(personality.Name + "\n" + body);
        return (new Plan("cmpl-" + ids.Alphanumeric(24), model, [.. words.Select(w => " " + w)], finish, echo ? prompt : null, logprobs, stream, includeUsage, promptTokens), 200, null);
    }

    public static JsonObject Completion(Plan plan, long created)
    {
        var text = (plan.EchoedPrompt ?? string.Empty) + string.Concat(plan.Pieces);
        var choice = new JsonObject { ["text"] = text, ["index"] = 0, ["logprobs"] = plan.Logprobs ? Logprobs(plan.Pieces) : null, ["finish_reason"] = plan.FinishReason };
        return new JsonObject
        {
            ["id"] = plan.Id,
            ["object"] = "text_completion",
            ["created"] = created,
            ["model"] = plan.Model,
            ["choices"] = new JsonArray(choice),
            ["usage"] = Usage(plan),
        };
    }

    public static IEnumerable<JsonObject> Chunks(Plan plan, long created)
    {
        var pieces = new List<string>();
        if (plan.EchoedPrompt is not null)
        {
            pieces.Add(plan.EchoedPrompt);
        }

        pieces.AddRange(plan.Pieces);
        for (var i = 0; i < pieces.Count; i++)
        {
            var last = i == pieces.Count - 1;
            yield return Chunk(plan, created, pieces[i], last ? plan.FinishReason : null);
        }

        if (plan.IncludeUsage)
        {
            var usage = Chunk(plan, created, null, null);
            usage["choices"] = new JsonArray();
            usage["usage"] = Usage(plan);
            yield return usage;
        }
    }

    private static JsonObject Chunk(Plan plan, long created, string? text, string? finish) => new()
    {
        ["id"] = plan.Id,
        ["object"] = "text_completion",
        ["created"] = created,
        ["model"] = plan.Model,
        ["choices"] = new JsonArray(new JsonObject { ["text"] = text ?? string.Empty, ["index"] = 0, ["logprobs"] = null, ["finish_reason"] = finish }),
    };

    private static JsonObject Usage(Plan plan) => new()
    {
        ["prompt_tokens"] = plan.PromptTokens,
        ["completion_tokens"] = plan.Pieces.Count,
        ["total_tokens"] = plan.PromptTokens + plan.Pieces.Count,
    };

    private static JsonObject Logprobs(IReadOnlyList<string> pieces)
    {
        var offset = 0;
        var offsets = new JsonArray();
        foreach (var piece in pieces)
        {
            offsets.Add(offset);
            offset += piece.Length;
        }

        return new JsonObject
        {
            ["tokens"] = new JsonArray([.. pieces.Select(p => (JsonNode?)JsonValue.Create(p))]),
            ["token_logprobs"] = new JsonArray([.. pieces.Select(_ => (JsonNode?)JsonValue.Create(-0.5))]),
            ["top_logprobs"] = null,
            ["text_offset"] = offsets,
        };
    }

    private static int Words(string text) => Math.Max(1, text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);

    private static string LastWord(string text) => text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } words ? words[^1] : string.Empty;

    private static string FirstWord(string text) => text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } words ? words[0] : string.Empty;

    internal sealed record Plan(string Id, string Model, IReadOnlyList<string> Pieces, string FinishReason, string? EchoedPrompt, bool Logprobs, bool Stream, bool IncludeUsage, int PromptTokens);
}
