using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>A parsed Chat Completions request body with the few facts the answer rules need.</summary>
internal sealed class ChatRequest
{
    private ChatRequest(JsonObject body, string rawBody)
    {
        Body = body;
        RawBody = rawBody;
        Messages = body["messages"] as JsonArray ?? [];
        Tools = body["tools"] as JsonArray;
    }

    public JsonObject Body { get; }

    public string RawBody { get; }

    public string? Model => Body["model"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public JsonArray Messages { get; }

    public JsonArray? Tools { get; }

    public JsonNode? ToolChoice => Body["tool_choice"];

    public bool Stream => Body["stream"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public bool IncludeUsage =>
        Body["stream_options"] is JsonObject o && o["include_usage"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    /// <summary>Parses <paramref name="rawBody"/>; null when it is not a JSON object.</summary>
    public static ChatRequest? TryParse(string rawBody)
    {
        try
        {
            return JsonNode.Parse(rawBody) is JsonObject body ? new ChatRequest(body, rawBody) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static string? RoleOf(JsonNode? message) =>
        message is JsonObject o && o["role"] is JsonValue v && v.TryGetValue<string>(out var role) ? role : null;

    /// <summary>Text of a message content: a string, or the concatenated <c>text</c> parts of a content array.</summary>
    public static string TextOf(JsonNode? content)
    {
        switch (content)
        {
            case JsonValue v when v.TryGetValue<string>(out var s):
                return s;
            case JsonArray parts:
                var texts = new List<string>();
                foreach (var part in parts)
                {
                    if (part is JsonObject p && p["text"] is JsonValue t && t.TryGetValue<string>(out var text))
                    {
                        texts.Add(text);
                    }
                }

                return string.Join("\n", texts);
            default:
                return string.Empty;
        }
    }

    /// <summary>Text of the last <c>user</c> message, or an empty string when there is none.</summary>
    public string LastUserText()
    {
        for (var i = Messages.Count - 1; i >= 0; i--)
        {
            if (RoleOf(Messages[i]) == "user")
            {
                return TextOf(Messages[i]!["content"]);
            }
        }

        return string.Empty;
    }

    /// <summary>True when the property is present with a non-null value.</summary>
    public bool HasValue(string name) => Body[name] is not null;

    /// <summary>Reads a string-valued property at a dotted path such as <c>thinking.type</c>.</summary>
    public string? StringAt(string dottedPath)
    {
        JsonNode? node = Body;
        foreach (var segment in dottedPath.Split('.'))
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }
}
