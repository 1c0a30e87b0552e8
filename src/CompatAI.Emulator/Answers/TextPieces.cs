using System.Text.RegularExpressions;

namespace CompatAI.Emulator;

/// <summary>Splits answer text into word-sized stream pieces: each piece is a word with its leading whitespace.</summary>
internal static partial class TextPieces
{
    public static IReadOnlyList<string> Split(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var pieces = new List<string>();
        foreach (Match match in WordWithLeadingSpace().Matches(text))
        {
            pieces.Add(match.Value);
        }

        // Trailing whitespace (if any) belongs to the last piece so the concatenation equals the text.
        var joinedLength = pieces.Sum(p => p.Length);
        if (joinedLength < text.Length)
        {
            if (pieces.Count == 0)
            {
                pieces.Add(text);
            }
            else
            {
                pieces[^1] += text[joinedLength..];
            }
        }

        return pieces;
    }

    public static int CountWords(string? text) => string.IsNullOrWhiteSpace(text) ? 0 : WordWithLeadingSpace().Count(text);

    [GeneratedRegex(@"\s*\S+")]
    private static partial Regex WordWithLeadingSpace();
}
