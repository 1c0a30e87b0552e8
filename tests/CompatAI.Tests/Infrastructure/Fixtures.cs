using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompatAI.Tests.Infrastructure;

/// <summary>The recorded provider traffic in Fixtures/, turned into scripted responses.</summary>
public static class Fixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static IEnumerable<string> All => System.IO.Directory.EnumerateFiles(Directory)
        .Select(Path.GetFileName)
        .Where(n => n!.EndsWith(".json", StringComparison.Ordinal) || n.EndsWith(".sse", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)!;

    public static string Text(string name) => File.ReadAllText(Path.Combine(Directory, name));

    public static JsonNode Json(string name) => JsonNode.Parse(Text(name))!;

    /// <summary>Whether the file is a whole exchange the client can be pointed at (not a fragment such as a lone chunk or usage object).</summary>
    public static bool IsStream(string name) => name.EndsWith(".sse", StringComparison.Ordinal);

    /// <summary>The response the fixture describes, as a server would send it.</summary>
    public static ScriptedResponse ToResponse(string name)
    {
        if (IsStream(name))
        {
            return ScriptedResponse.Sse(Text(name));
        }

        var node = Json(name);
        if (node is JsonObject envelope && envelope.ContainsKey("status"))
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var contentType = "application/json";
            foreach (var (key, value) in envelope["headers"]?.AsObject() ?? [])
            {
                var text = value is JsonArray array ? string.Join(", ", array.Select(v => v!.ToString())) : value!.ToString();
                if (key.Equals("content-type", StringComparison.OrdinalIgnoreCase))
                {
                    contentType = text;
                }
                else if (!IsHopByHop(key))
                {
                    headers[key] = text;
                }
            }

            string body;
            if (envelope["body_file"] is { } file)
            {
                body = Text(file.ToString());
            }
            else if (envelope["raw_body"] is { } raw)
            {
                body = raw.GetValue<string>();
            }
            else
            {
                body = envelope["body"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : envelope["body"]!.ToJsonString();
            }

            return new ScriptedResponse { Status = envelope["status"]!.GetValue<int>(), ContentType = contentType, Headers = headers, Body = body };
        }

        if (node is JsonObject exchange && exchange["response"] is JsonObject response)
        {
            return ScriptedResponse.Json(response.ToJsonString());
        }

        if (node is JsonObject chunk && chunk["object"]?.ToString() == "chat.completion.chunk")
        {
            return ScriptedResponse.Sse($"data: {chunk.ToJsonString()}\n\ndata: [DONE]\n\n");
        }

        if (node is JsonObject usage && usage.ContainsKey("prompt_tokens"))
        {
            // A usage object on its own: serve it inside the smallest complete response.
            var wrapper = new JsonObject
            {
                ["id"] = "chatcmpl-usage-fixture",
                ["object"] = "chat.completion",
                ["created"] = 1700000000,
                ["model"] = "fixture",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "ok" }, ["finish_reason"] = "stop" }),
                ["usage"] = usage.DeepClone(),
            };
            return ScriptedResponse.Json(wrapper.ToJsonString());
        }

        return ScriptedResponse.Json(node.ToJsonString());
    }

    /// <summary>The JSON objects a stream fixture carries in its data lines (or bare JSON lines), in order.</summary>
    public static List<JsonObject> StreamChunks(string body)
    {
        var chunks = new List<JsonObject>();
        foreach (var raw in body.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var payload = line.StartsWith("data:", StringComparison.Ordinal) ? line[5..].Trim() : line.StartsWith('{') ? line : null;
            if (payload is null or "[DONE]" || payload.Length == 0)
            {
                continue;
            }

            // Not JSON: the client has to deal with it; the oracle ignores it.
            if (JsonText.TryParseObject(payload) is { } obj)
            {
                chunks.Add(obj);
            }
        }

        return chunks;
    }

    private static bool IsHopByHop(string header) => header.ToLowerInvariant() is "connection" or "transfer-encoding" or "content-length" or "keep-alive" or "alt-svc" or "set-cookie" or "date" or "server";
}
