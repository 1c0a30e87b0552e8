using System.Text.RegularExpressions;

namespace CompatAI;

/// <summary>The context window (prompt plus output, in tokens) of the models of a provider whose id matches a pattern.</summary>
public sealed class ContextWindowRule
{
    /// <summary>Gets the regular expression (case-insensitive) a model id must match for this rule to apply.</summary>
    public required string ModelPattern { get; init; }

    /// <summary>Gets the context window in tokens.</summary>
    public required int Tokens { get; init; }

    /// <summary>Gets where the number comes from.</summary>
    public IReadOnlyList<string> Sources { get; init => field = value ?? []; } = [];

    /// <summary>Returns whether <paramref name="modelId"/> matches <see cref="ModelPattern"/>.</summary>
    /// <param name="modelId">The model id to test.</param>
    /// <returns><see langword="true"/> when the rule applies.</returns>
    public bool Matches(string? modelId) =>
        modelId is not null && Regex.IsMatch(modelId, ModelPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}
