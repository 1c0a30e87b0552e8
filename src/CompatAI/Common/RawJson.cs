using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;

namespace CompatAI;

/// <summary>Reads provider extra fields from the <see cref="JsonPatch"/> of the OpenAI SDK's models.</summary>
internal static class RawJson
{
    /// <summary>Gets the JSON at <paramref name="utf8Path"/>, or <see langword="false"/> when it is absent or <c>null</c>.</summary>
    public static bool TryGet(ref JsonPatch patch, ReadOnlySpan<byte> utf8Path, out ReadOnlyMemory<byte> json)
    {
        try
        {
            // (JsonPatch.Contains only sees patched values, not the parsed body, so it cannot serve as a cheap pre-check.)
            if (patch.TryGetJson(utf8Path, out json) && !IsNull(json.Span))
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException or JsonException or NotSupportedException or KeyNotFoundException or IndexOutOfRangeException)
        {
            // An absent or differently-shaped path is not an error: the field simply is not there.
        }

        json = default;
        return false;
    }

    /// <summary>
    /// Returns whether the JSON object <paramref name="json"/> has a top-level property named like one of
    /// <paramref name="utf8Names"/> (escaped names compare unescaped); <see langword="true"/> when it cannot tell.
    /// </summary>
    public static bool HasAnyProperty(ReadOnlySpan<byte> json, byte[][] utf8Names)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return true;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                foreach (var name in utf8Names)
                {
                    if (reader.ValueTextEquals(name))
                    {
                        return true;
                    }
                }

                if (!reader.Read() || !reader.TrySkip())
                {
                    return true;
                }
            }

            return reader.TokenType != JsonTokenType.EndObject;
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <summary>Encodes a JSON path once, for reuse on every response.</summary>
    public static byte[] Path(string path) => Encoding.UTF8.GetBytes(path);

    /// <summary>
    /// Reads reasoning from a field value: a string, or a <c>reasoning_details</c> array: the <c>text</c> of its items,
    /// else their <c>summary</c> (encrypted items carry neither and are skipped).
    /// </summary>
    public static string? ReadReasoning(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read())
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json.ToArray());
        return Concat(document.RootElement, "text") ?? Concat(document.RootElement, "summary");
    }

    private static string? Concat(JsonElement items, string property)
    {
        StringBuilder? text = null;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                && value.GetString() is { Length: > 0 } piece)
            {
                (text ??= new StringBuilder()).Append(piece);
            }
        }

        return text?.ToString();
    }

    private static bool IsNull(ReadOnlySpan<byte> json) => json.IsEmpty || json.Trim((byte)' ').SequenceEqual("null"u8);
}
