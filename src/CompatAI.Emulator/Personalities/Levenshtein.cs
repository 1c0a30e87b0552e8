namespace CompatAI.Emulator;

/// <summary>Edit distance, used for Groq's "did you mean" hints.</summary>
internal static class Levenshtein
{
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>The closest candidate (ties broken alphabetically).</summary>
    public static string Closest(string word, IEnumerable<string> candidates) =>
        candidates.OrderBy(c => Distance(word, c)).ThenBy(c => c, StringComparer.Ordinal).First();
}
