using System.Globalization;
using System.Text;

namespace CompatAI.Reliability.Infrastructure;

/// <summary>The scripted provider behaviours of the fault suite, as raw bytes on the socket.</summary>
internal static class Faults
{
    /// <summary>The sentinel API key used in every fault test: it must never appear in any output.</summary>
    public const string SentinelKey = "sk-sentinel-5e1f0c7a9b3d4e2f8a6c";

    public const string Answer = "The quick brown fox";

    public static string Chunk(string content, string? finish = null) =>
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
        + System.Text.Json.JsonSerializer.Serialize(content) + "},\"finish_reason\":" + (finish is null ? "null" : "\"" + finish + "\"") + "}]}\n\n";

    public static string Completion(string content) =>
        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
        + System.Text.Json.JsonSerializer.Serialize(content) + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}";

    public static string Head(int status, string reason, string contentType, int? contentLength, params string[] headers)
    {
        var builder = new StringBuilder($"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nConnection: close\r\n");
        if (contentLength is { } length)
        {
            builder.Append("Content-Length: ").Append(length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        foreach (var header in headers)
        {
            builder.Append(header).Append("\r\n");
        }

        return builder.Append("\r\n").ToString();
    }

    public static async Task Respond(FaultConnection c, int status, string reason, string contentType, string body, params string[] headers)
    {
        var bytes = Encoding.UTF8.GetByteCount(body);
        await c.WriteAsync(Head(status, reason, contentType, bytes, headers) + body);
    }

    /// <summary>A healthy provider: JSON or SSE depending on the request.</summary>
    public static async Task Healthy(FaultConnection c)
    {
        if (!c.Streaming)
        {
            await Respond(c, 200, "OK", "application/json", Completion(Answer));
            return;
        }

        await c.WriteAsync(Head(200, "OK", "text/event-stream", null));
        foreach (var word in Answer.Split(' '))
        {
            await c.WriteAsync(Chunk(word + " "));
        }

        await c.WriteAsync(Chunk(string.Empty, "stop") + "data: [DONE]\n\n");
    }

    /// <summary>Every fault scenario by name.</summary>
    public static readonly IReadOnlyDictionary<string, Func<FaultConnection, Task>> All = new Dictionary<string, Func<FaultConnection, Task>>
    {
        // The body repeats the key, as some providers do ("Incorrect API key provided: sk-..."): it must be redacted.
        ["429-retry-after-seconds"] = c => Respond(c, 429, "Too Many Requests", "application/json",
            $"{{\"error\":{{\"message\":\"Rate limit reached for key {SentinelKey}\",\"type\":\"rate_limit_error\",\"code\":\"rate_limit_exceeded\"}}}}", "Retry-After: 7"),
        ["429-retry-after-ms"] = c => Respond(c, 429, "Too Many Requests", "application/json",
            "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\",\"code\":\"rate_limit_exceeded\"}}", "retry-after-ms: 1500"),
        ["429-retry-after-date"] = c => Respond(c, 429, "Too Many Requests", "application/json",
            "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\"}}", "Retry-After: " + DateTimeOffset.UtcNow.AddHours(1).ToString("R", CultureInfo.InvariantCulture)),
        ["500"] = c => Respond(c, 500, "Internal Server Error", "application/json", "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}"),
        ["503"] = c => Respond(c, 503, "Service Unavailable", "application/json", "{\"error\":{\"message\":\"Overloaded\",\"type\":\"server_error\"}}"),
        ["reset-before-headers"] = c =>
        {
            c.Reset();
            return Task.CompletedTask;
        },
        ["reset-mid-body"] = async c =>
        {
            var body = c.Streaming ? Chunk("The ") + Chunk("quick ") : Completion(Answer);
            await c.WriteAsync(c.Streaming ? Head(200, "OK", "text/event-stream", null) + body : Head(200, "OK", "application/json", Encoding.UTF8.GetByteCount(body)) + body[..(body.Length / 2)]);
            await c.FlushAsync();
            // A reset discards bytes still in the kernel's send buffer: give loopback time to deliver them first, so the
            // client sees the partial answer and then the reset (the fault), not a reset alone (another scenario).
            await Task.Delay(200, c.Stopping);
            c.Reset();
        },
        ["hang-before-headers"] = c => c.HangAsync(),
        ["stall-mid-stream"] = async c =>
        {
            await c.WriteAsync(Head(200, "OK", "text/event-stream", null) + Chunk("The ") + Chunk("quick "));
            await c.FlushAsync();
            await c.HangAsync();
        },
        ["cut-without-done"] = c => c.WriteAsync(Head(200, "OK", "text/event-stream", null) + Chunk("The ") + Chunk("quick ")),
        ["error-object-in-200-stream"] = c => c.WriteAsync(Head(200, "OK", "text/event-stream", null) + Chunk("The ")
            + "data: {\"error\":{\"object\":\"error\",\"message\":\"max_tokens must be at least 1, got -2815.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}\n\ndata: [DONE]\n\n"),
        ["html-error-page"] = c => Respond(c, 502, "Bad Gateway", "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"),
        ["non-json-200"] = c => Respond(c, 200, "OK", "text/plain", "OK"),
        ["truncated-json-200"] = c => Respond(c, 200, "OK", "application/json", Completion(Answer)[..40]),
        ["slow-trickle"] = async c =>
        {
            var text = c.Streaming
                ? Head(200, "OK", "text/event-stream", null) + string.Concat(Answer.Split(' ').Select(w => Chunk(w + " "))) + Chunk(string.Empty, "stop") + "data: [DONE]\n\n"
                : Head(200, "OK", "application/json", Encoding.UTF8.GetByteCount(Completion(Answer))) + Completion(Answer);
            foreach (var piece in text.Chunk(7))
            {
                await c.WriteAsync(new string(piece));
                await c.FlushAsync();
                await Task.Yield();
            }
        },
        ["duplicate-done"] = c => c.WriteAsync(Head(200, "OK", "text/event-stream", null)
            + string.Concat(Answer.Split(' ').Select(w => Chunk(w + " "))) + Chunk(string.Empty, "stop") + "data: [DONE]\n\ndata: [DONE]\n\n"),
        ["oversized-chunk"] = c => c.Streaming
            ? c.WriteAsync(Head(200, "OK", "text/event-stream", null) + Chunk(new string('a', 1_000_000)) + Chunk(string.Empty, "stop") + "data: [DONE]\n\n")
            : Respond(c, 200, "OK", "application/json", Completion(new string('a', 1_000_000))),
    };
}
