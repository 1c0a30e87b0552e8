using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompatAI.Cli;

/// <summary>Writes indented JSON documents.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions s_options = new() { WriteIndented = true };

    public static Task WriteAsync(TextWriter output, JsonNode node) => output.WriteLineAsync(node.ToJsonString(s_options));
}
