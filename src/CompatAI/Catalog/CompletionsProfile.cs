namespace CompatAI;

/// <summary>
/// How a provider serves the legacy text completions endpoint (base models, fill-in-the-middle): where it lives and
/// which model to use by default. A profile without it does not serve <c>/completions</c> (or CompatAI has no record
/// that it does); an application can add it through a catalog override.
/// </summary>
public sealed class CompletionsProfile
{
    /// <summary>Gets the model used when the caller names none; <see langword="null"/> when the caller must name one.</summary>
    public string? DefaultModel { get; init; }

    /// <summary>Gets the path of the endpoint relative to the provider's base URL. Default: <c>completions</c>; DeepSeek's FIM beta: <c>beta/completions</c>.</summary>
    public string Path { get; init => field = string.IsNullOrWhiteSpace(value) ? "completions" : value.Trim('/'); } = "completions";
}
