using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CompatAI.Emulator.Tests;

/// <summary>Raw HTTP helpers: tests talk to the emulator over loopback exactly like a client would.</summary>
internal static class Wire
{
    public static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(1) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public sealed record Reply(HttpStatusCode Status, HttpResponseMessage Message, string Body)
    {
        public JsonObject Json => (JsonObject)JsonNode.Parse(Body)!;

        /// <summary>The SSE data payloads in order (comments excluded, <c>[DONE]</c> included as text).</summary>
        public IReadOnlyList<string> DataEvents => Body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(e => e.Split('\n'))
            .Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => l["data: ".Length..])
            .ToList();

        /// <summary>The JSON chunks (everything but <c>[DONE]</c>).</summary>
        public IReadOnlyList<JsonObject> Chunks => DataEvents.Where(d => d != "[DONE]").Select(d => (JsonObject)JsonNode.Parse(d)!).ToList();

        public bool EndsWithDone => DataEvents.Count > 0 && DataEvents[^1] == "[DONE]";

        /// <summary>Concatenated <c>choices[0].delta.content</c> string pieces.</summary>
        public string StreamedContent => string.Concat(Chunks
            .Select(c => c["choices"] is JsonArray { Count: > 0 } a ? a[0]?["delta"]?["content"] : null)
            .Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty));
    }

    public static Task<Reply> ChatAsync(ProviderEmulator emulator, string personality, string json, params (string Name, string Value)[] headers) =>
        SendAsync(HttpMethod.Post, new Uri(emulator.GetEndpoint(personality), "chat/completions"), json, headers);

    public static async Task<Reply> SendAsync(HttpMethod method, Uri uri, string? json = null, (string Name, string Value)[]? headers = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new Reply(response.StatusCode, response, body);
    }

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : string.Empty;

    public static string UserChat(string model, string text, bool stream = false, string extra = "") =>
        $$"""{"model":"{{model}}",{{(stream ? "\"stream\":true," : string.Empty)}}{{extra}}"messages":[{"role":"user","content":{{JsonValue.Create(text).ToJsonString()}}}]}""";

    public const string WeatherTool = """{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"},"metric":{"type":"boolean"},"note":{"type":"string"}},"required":["city","days","metric"]}}}""";

    public const string TimeTool = """{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string","enum":["UTC","CET"]}},"required":["zone"]}}}""";

    public static string ToolChat(string model, string text, bool stream = false, string? toolChoice = null) =>
        $$"""{"model":"{{model}}",{{(stream ? "\"stream\":true," : string.Empty)}}{{(toolChoice is null ? string.Empty : "\"tool_choice\":" + toolChoice + ",")}}"tools":[{{WeatherTool}},{{TimeTool}}],"messages":[{"role":"user","content":{{JsonValue.Create(text).ToJsonString()}}}]}""";

    public static string S(this JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "<null>";
}
