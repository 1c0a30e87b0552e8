using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompatAI;

/// <summary>
/// Turns a whole <c>chat.completion</c> body, which some servers send in answer to <c>stream: true</c>, into the event
/// stream that was asked for: one <c>chat.completion.chunk</c> whose deltas are the choices' messages, then
/// <c>[DONE]</c>. Without this, the SDK would read the completion as a chunk without deltas and the answer would be lost.
/// </summary>
internal static class CompletionAsEventStream
{
    /// <summary>Returns the event stream for <paramref name="completion"/>, or <see langword="null"/> when it is not a completion object.</summary>
    public static byte[]? TryConvert(ReadOnlySpan<byte> completion)
    {
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(completion) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (body?["choices"] is not JsonArray choices || body["error"] is not null)
        {
            return null;
        }

        body["object"] = "chat.completion.chunk";
        foreach (var choice in choices.OfType<JsonObject>())
        {
            if (choice["message"] is not JsonObject message)
            {
                continue;
            }

            choice.Remove("message");
            if (message["tool_calls"] is JsonArray calls)
            {
                // Deltas of tool calls carry their position.
                for (var i = 0; i < calls.Count; i++)
                {
                    if (calls[i] is JsonObject call && call["index"] is null)
                    {
                        call["index"] = i;
                    }
                }
            }

            choice["delta"] = message;
        }

        var usage = body["usage"];
        body.Remove("usage");
        var events = new StringBuilder();
        events.Append("data: ").Append(body.ToJsonString()).Append("\n\n");
        if (usage is not null)
        {
            // As in a stream with include_usage: a last chunk with no choices holds the usage.
            var usageChunk = new JsonObject
            {
                ["id"] = body["id"]?.DeepClone(),
                ["object"] = "chat.completion.chunk",
                ["created"] = body["created"]?.DeepClone(),
                ["model"] = body["model"]?.DeepClone(),
                ["choices"] = new JsonArray(),
                ["usage"] = usage,
            };
            events.Append("data: ").Append(usageChunk.ToJsonString()).Append("\n\n");
        }

        events.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(events.ToString());
    }
}
