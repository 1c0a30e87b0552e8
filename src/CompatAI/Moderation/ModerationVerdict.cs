namespace CompatAI;

/// <summary>What a provider's moderation said about one input, in one shape for every provider.</summary>
public sealed class ModerationVerdict
{
    /// <summary>Gets whether the input was flagged: the provider's own <c>flagged</c> where it sends one (OpenAI), otherwise whether any category is set (Mistral).</summary>
    public required bool Flagged { get; init; }

    /// <summary>Gets each category the provider reported and whether it applies, under the provider's own category names (OpenAI: <c>hate</c>, <c>violence/graphic</c>, ...; Mistral: <c>hate_and_discrimination</c>, <c>pii</c>, ...).</summary>
    public required IReadOnlyDictionary<string, bool> Categories { get; init; }

    /// <summary>Gets each category's score, from 0 to 1, under the provider's own names.</summary>
    public required IReadOnlyDictionary<string, double> CategoryScores { get; init; }

    /// <summary>Gets the categories that apply, for convenience.</summary>
    public IEnumerable<string> FlaggedCategories => Categories.Where(c => c.Value).Select(c => c.Key);
}
