using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// The deterministic answer rules shared by every personality:
/// <list type="number">
/// <item>Conversation ends with <c>tool</c> messages: text <c>Tool results: name=content; ...</c> (calls paired by <c>tool_call_id</c>).</item>
/// <item>Request has <c>tools</c> (and <c>tool_choice</c> is not <c>"none"</c>): tool calls — the named <c>tool_choice</c>,
/// else every tool whose name occurs in the last user text, else the first tool.</item>
/// <item>Otherwise: text <c>You said: &lt;last user text&gt;</c>.</item>
/// </list>
/// </summary>
internal static class AnswerPlanner
{
    public const string EchoPrefix = "You said: ";
    public const string ToolResultsPrefix = "Tool results: ";

    public static AnswerPlan Plan(ChatRequest request, bool toolsSupported = true)
    {
        var promptTokens = Math.Max(1, request.Messages.Sum(m => TextPieces.CountWords(ChatRequest.TextOf(m?["content"]))));

        var trailingToolResults = TrailingToolMessages(request.Messages);
        if (trailingToolResults.Count > 0)
        {
            return new AnswerPlan(ToolResultsPrefix + DescribeToolResults(request.Messages, trailingToolResults), [], promptTokens);
        }

        var userText = request.LastUserText();
        if (toolsSupported && request.Tools is { Count: > 0 } tools && !IsToolChoiceNone(request.ToolChoice))
        {
            var chosen = ChooseTools(tools, request.ToolChoice, userText);
            if (chosen.Count > 0)
            {
                var calls = chosen.Select(t => new PlannedToolCall(NameOf(t)!, ArgumentsFor(t, userText))).ToList();
                return new AnswerPlan(null, calls, promptTokens);
            }
        }

        return new AnswerPlan(EchoPrefix + userText, [], promptTokens);
    }

    private static List<JsonObject> TrailingToolMessages(JsonArray messages)
    {
        var result = new List<JsonObject>();
        for (var i = messages.Count - 1; i >= 0 && ChatRequest.RoleOf(messages[i]) == "tool"; i--)
        {
            result.Insert(0, (JsonObject)messages[i]!);
        }

        return result;
    }

    private static string DescribeToolResults(JsonArray messages, List<JsonObject> results)
    {
        var namesById = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            if (message?["tool_calls"] is not JsonArray calls)
            {
                continue;
            }

            foreach (var call in calls)
            {
                var id = (call?["id"] as JsonValue)?.GetValue<string>();
                var name = (call?["function"]?["name"] as JsonValue)?.GetValue<string>();
                if (id is not null && name is not null)
                {
                    namesById[id] = name;
                }
            }
        }

        return string.Join("; ", results.Select(r =>
        {
            var id = r["tool_call_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var name = id is not null && namesById.TryGetValue(id, out var n)
                ? n
                : r["name"] is JsonValue nv && nv.TryGetValue<string>(out var explicitName) ? explicitName : id ?? "unknown";
            return $"{name}={ChatRequest.TextOf(r["content"])}";
        }));
    }

    private static bool IsToolChoiceNone(JsonNode? toolChoice) =>
        toolChoice is JsonValue v && v.TryGetValue<string>(out var s) && s == "none";

    private static List<JsonObject> ChooseTools(JsonArray tools, JsonNode? toolChoice, string userText)
    {
        var functions = tools.OfType<JsonObject>().Where(t => NameOf(t) is not null).ToList();
        if (toolChoice is JsonObject choice)
        {
            var wanted = (choice["function"]?["name"] ?? choice["name"]) is JsonValue v && v.TryGetValue<string>(out var n) ? n : null;
            var named = functions.FirstOrDefault(t => NameOf(t) == wanted);
            if (named is not null)
            {
                return [named];
            }
        }

        var mentioned = functions.Where(t => userText.Contains(NameOf(t)!, StringComparison.OrdinalIgnoreCase)).ToList();
        return mentioned.Count > 0 ? mentioned : functions.Take(1).ToList();
    }

    private static string? NameOf(JsonObject tool) =>
        (tool["function"]?["name"] ?? tool["name"]) is JsonValue v && v.TryGetValue<string>(out var n) ? n : null;

    private static string ArgumentsFor(JsonObject tool, string userText)
    {
        var name = NameOf(tool)!;
        var explicitArguments = ExtractCallArguments(userText, name);
        if (explicitArguments is not null)
        {
            return explicitArguments;
        }

        var schema = tool["function"]?["parameters"] ?? tool["parameters"];
        return (SchemaSampler.Sample(schema) ?? new JsonObject()).ToJsonString(EmulatorJson.Options);
    }

    /// <summary>Finds <c>name({...})</c> in the text and returns the JSON object (compact), or null.</summary>
    internal static string? ExtractCallArguments(string text, string name)
    {
        var searchFrom = 0;
        while (true)
        {
            var at = text.IndexOf(name + "(", searchFrom, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            var start = at + name.Length + 1;
            while (start < text.Length && char.IsWhiteSpace(text[start]))
            {
                start++;
            }

            var end = start < text.Length && text[start] == '{' ? FindObjectEnd(text, start) : -1;
            if (end > start)
            {
                try
                {
                    if (JsonNode.Parse(text[start..(end + 1)]) is JsonObject parsed)
                    {
                        return parsed.ToJsonString(EmulatorJson.Options);
                    }
                }
                catch (JsonException)
                {
                    // Not valid JSON: keep looking for another occurrence.
                }
            }

            searchFrom = at + 1;
        }
    }

    private static int FindObjectEnd(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{':
                    depth++;
                    break;
                case '}':
                    depth--;
                    if (depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        return -1;
    }
}
