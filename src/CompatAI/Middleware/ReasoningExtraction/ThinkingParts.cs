using System.Text;
using System.Text.Json;

namespace CompatAI.Middleware.ReasoningExtraction;

/// <summary>Reads Mistral's content arrays: <c>[{"type":"thinking","thinking":[{"type":"text","text":"…"}]}, {"type":"text","text":"…"}]</c>.</summary>
internal static class ThinkingParts
{
    /// <summary>Returns the concatenated thinking text of a content array, or <see langword="null"/> when it has none.</summary>
    public static string? Read(ReadOnlySpan<byte> contentJson)
    {
        if (contentJson.IsEmpty || contentJson[0] != (byte)'[')
        {
            return null;
        }

        using var document = JsonDocument.Parse(contentJson.ToArray());
        StringBuilder? thinking = null;
        foreach (var part in document.RootElement.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object
                || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "thinking"
                || !part.TryGetProperty("thinking", out var body))
            {
                continue;
            }

            thinking ??= new StringBuilder();
            if (body.ValueKind == JsonValueKind.String)
            {
                thinking.Append(body.GetString());
            }
            else if (body.ValueKind == JsonValueKind.Array)
            {
                foreach (var piece in body.EnumerateArray())
                {
                    if (piece.ValueKind == JsonValueKind.String)
                    {
                        thinking.Append(piece.GetString());
                    }
                    else if (piece.ValueKind == JsonValueKind.Object && piece.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        thinking.Append(text.GetString());
                    }
                }
            }
        }

        return thinking?.ToString();
    }
}
