using System.Text.RegularExpressions;

namespace CompatAI;

/// <summary>Quirks that apply only to the models of a provider whose id matches a pattern (for example OpenAI's reasoning models).</summary>
public sealed class ModelRule
{
    /// <summary>Gets the regular expression (case-insensitive) a model id must match for this rule to apply.</summary>
    public required string ModelPattern { get; init; }

    /// <summary>Gets the quirks laid over the provider's own for matching models.</summary>
    public required ProviderQuirks Quirks { get; init; }

    /// <summary>Gets where the facts in this rule come from.</summary>
    public IReadOnlyList<string> Sources { get; init => field = value ?? []; } = [];

    /// <summary>Returns whether <paramref name="modelId"/> matches <see cref="ModelPattern"/>.</summary>
    /// <param name="modelId">The model id to test.</param>
    /// <returns><see langword="true"/> when the rule applies.</returns>
    public bool Matches(string? modelId) =>
        modelId is not null && Regex.IsMatch(modelId, ModelPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}
