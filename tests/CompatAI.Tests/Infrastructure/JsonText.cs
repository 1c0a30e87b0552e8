using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompatAI.Tests.Infrastructure;

/// <summary>Parsing for the tests' own oracles, which read recorded streams that may hold deliberate fragments.</summary>
internal static class JsonText
{
    /// <summary>Returns the JSON object <paramref name="text"/> holds, or <see langword="null"/> when it is not JSON or not an object.</summary>
    public static JsonObject? TryParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null; // a fragment of a deliberately broken stream: not a chunk
        }
    }
}
