using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>Compact JSON output that keeps non-ASCII text readable, like most providers do.</summary>
internal static class EmulatorJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    /// <summary>Parses a literal body copied from a recorded fixture.</summary>
    public static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;
}
