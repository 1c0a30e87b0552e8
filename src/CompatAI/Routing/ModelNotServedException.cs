namespace CompatAI;

/// <summary>A request names a model that no configured provider serves; nothing was sent. <see cref="CloseMatches"/> lists the nearest known ids.</summary>
public sealed class ModelNotServedException : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    /// <param name="model">The model the request named.</param>
    /// <param name="closeMatches">The nearest model ids that are served, best first.</param>
    public ModelNotServedException(string model, IReadOnlyList<string> closeMatches)
        : base(closeMatches is { Count: > 0 }
            ? $"No configured provider serves model '{model}'. Did you mean: {string.Join(", ", closeMatches)}?"
            : $"No configured provider serves model '{model}'.")
    {
        Model = model;
        CloseMatches = closeMatches ?? [];
    }

    /// <summary>Gets the model the request named.</summary>
    public string Model { get; }

    /// <summary>Gets the nearest model ids that are served, best first.</summary>
    public IReadOnlyList<string> CloseMatches { get; }

    /// <summary>Returns up to <paramref name="count"/> of <paramref name="known"/> nearest to <paramref name="model"/> (case-insensitive edit distance, substrings first).</summary>
    internal static IReadOnlyList<string> Closest(string model, IEnumerable<string> known, int count = 3)
    {
        string wanted = model.ToLowerInvariant();
        return [.. known.Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(k => (Id: k, Distance: Distance(wanted, k.ToLowerInvariant())))
            .Where(x => x.Distance <= Math.Max(3, wanted.Length / 2))
            .OrderBy(x => x.Distance).ThenBy(x => x.Id, StringComparer.Ordinal)
            .Take(count)
            .Select(x => x.Id)];
    }

    private static int Distance(string a, string b)
    {
        if (a.Contains(b, StringComparison.Ordinal) || b.Contains(a, StringComparison.Ordinal))
        {
            return Math.Abs(a.Length - b.Length) / 4;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
