namespace CompatAI.Emulator;

/// <summary>One HTTP request exactly as the emulator received it.</summary>
/// <param name="Personality">The personality segment of the path (for example <c>groq</c>), or an empty string for paths outside a personality such as <c>/healthz</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path including the query string.</param>
/// <param name="Headers">Request headers (case-insensitive names; repeated headers joined with <c>", "</c>).</param>
/// <param name="Body">The raw request body as UTF-8 text (empty when there was none).</param>
public sealed record RecordedRequest(
    string Personality,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    string Body);
