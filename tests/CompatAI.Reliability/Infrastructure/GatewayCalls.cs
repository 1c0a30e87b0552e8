using System.Text;
using System.Text.Json;

namespace CompatAI.Reliability.Infrastructure;

/// <summary>One classified gateway call, as the soak and <c>eng/chaos</c> make it.</summary>
internal static class GatewayCalls
{
    /// <summary>
    /// Sends one chat request and classifies what came back: <c>served</c> (a complete answer whose text passes
    /// <paramref name="textOk"/>), <c>typed-error</c> (an OpenAI error body, or an SSE stream ending in an error event),
    /// <c>disconnected</c> (<paramref name="leaveEarly"/>: the first event arrived and the client left), or a description
    /// of anything else.
    /// </summary>
    public static async Task<string> SendAsync(HttpClient client, string body, bool leaveEarly, Func<string, bool> textOk, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (leaveEarly)
        {
            // Read the first event, then go away mid-stream.
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(stream);
            var first = await reader.ReadLineAsync(cancellationToken);
            return (int)response.StatusCode == 200 && first?.StartsWith("data: ", StringComparison.Ordinal) == true ? "disconnected" : $"unexpected start {(int)response.StatusCode} {first}";
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = (int)response.StatusCode;
        if (status >= 400)
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.GetProperty("error").GetProperty("type").GetString() is { Length: > 0 } ? "typed-error" : "untyped-error";
        }

        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
            if (events[^1].StartsWith("event: error", StringComparison.Ordinal))
            {
                return "typed-error";
            }

            var streamed = new StringBuilder();
            foreach (var e in events.Where(e => e.StartsWith("data: {", StringComparison.Ordinal)))
            {
                using var chunk = JsonDocument.Parse(e["data: ".Length..]);
                foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
                {
                    if (choice.GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                    {
                        streamed.Append(content.GetString());
                    }
                }
            }

            return events[^1].Trim() == "data: [DONE]" && textOk(streamed.ToString()) ? "served" : "truncated: " + streamed;
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() is { } answer && textOk(answer) ? "served" : "wrong-content";
    }
}
