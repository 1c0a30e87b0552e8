using System.Text.Json.Nodes;

namespace CompatAI.Cli;

/// <summary>One raw HTTP exchange with the service: the status and body, or the transport error.</summary>
/// <param name="Url">The URL called.</param>
/// <param name="StatusCode">The HTTP status; null when no answer arrived.</param>
/// <param name="Body">The response body (for a stream, the raw SSE text).</param>
/// <param name="ContentType">The response media type.</param>
/// <param name="Error">The transport error, when no answer arrived.</param>
internal sealed record HttpAttempt(Uri Url, int? StatusCode, string Body, string? ContentType, Exception? Error)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public bool IsClientError => StatusCode is >= 400 and < 500;

    public bool IsAuthError => StatusCode is 401 or 403;

    /// <summary>The body parsed as JSON, or null when it is not JSON.</summary>
    public JsonNode? Json
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Body))
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(Body);
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>The SSE <c>data:</c> payloads parsed as JSON objects (others, including <c>[DONE]</c>, are left out).</summary>
    public IReadOnlyList<JsonObject> Events
    {
        get
        {
            var events = new List<JsonObject>();
            foreach (var line in Body.Split('\n'))
            {
                var trimmed = line.TrimEnd('\r');
                if (!trimmed.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                var payload = trimmed[5..].Trim();
                if (payload.Length == 0 || payload == "[DONE]")
                {
                    continue;
                }

                try
                {
                    if (JsonNode.Parse(payload) is JsonObject o)
                    {
                        events.Add(o);
                    }
                }
                catch (System.Text.Json.JsonException)
                {
                    events.Add(new JsonObject { ["compatai_unparsed"] = payload });
                }
            }

            return events;
        }
    }

    /// <summary>The error message of a JSON error body in any of the common shapes, or a short description.</summary>
    public string Describe()
    {
        if (Error is not null)
        {
            return Error.GetBaseException().Message;
        }

        var json = Json;
        var message = json?["error"]?["message"] ?? json?["error"] ?? json?["message"] ?? json?["detail"]?[0]?["msg"] ?? json?["detail"];
        var text = message is JsonValue v && v.TryGetValue<string>(out var s) ? s : message?.ToJsonString();
        text ??= Body.Length > 200 ? Body[..200] + "…" : Body;
        return $"HTTP {StatusCode}: {text}";
    }
}
