using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>Reads provider citation fields: arrays of URLs (<c>citations</c>) or of objects with <c>url</c>, <c>title</c>, <c>snippet</c> (<c>search_results</c>).</summary>
internal static class CitationReader
{
    public static void Read(ReadOnlySpan<byte> json, List<CitationAnnotation> into)
    {
        if (json.IsEmpty || json[0] != (byte)'[')
        {
            return;
        }

        using var document = JsonDocument.Parse(json.ToArray());
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                string? value = item.GetString();
                if (string.IsNullOrWhiteSpace(value))
                {
                    continue;
                }

                into.Add(Uri.TryCreate(value, UriKind.Absolute, out var url) ? new CitationAnnotation { Url = url } : new CitationAnnotation { Title = value });
            }
            else if (item.ValueKind == JsonValueKind.Object)
            {
                var citation = new CitationAnnotation
                {
                    Title = GetString(item, "title"),
                    Snippet = GetString(item, "snippet") ?? GetString(item, "content"),
                };
                if (GetString(item, "url") is { } u && Uri.TryCreate(u, UriKind.Absolute, out var url))
                {
                    citation.Url = url;
                }

                if (citation.Url is not null || citation.Title is not null)
                {
                    citation.RawRepresentation = item.Clone();
                    into.Add(citation);
                }
            }
        }
    }

    private static string? GetString(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
