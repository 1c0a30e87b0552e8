namespace CompatAI;

/// <summary>One text completion request: a prompt (and for fill-in-the-middle, a suffix) and the sampling settings.</summary>
public sealed class CompletionRequest
{
    /// <summary>Creates a request for <paramref name="prompt"/>.</summary>
    /// <param name="prompt">The text to continue.</param>
    public CompletionRequest(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        Prompt = prompt;
    }

    /// <summary>Gets the text to continue.</summary>
    public string Prompt { get; }

    /// <summary>Gets or sets the text that comes after the completion (fill-in-the-middle); sent as <c>suffix</c>.</summary>
    public string? Suffix { get; set; }

    /// <summary>Gets or sets the model, overriding the client's default.</summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets the most tokens to generate (<c>max_tokens</c>).</summary>
    public int? MaxTokens { get; set; }

    /// <summary>Gets or sets the sampling temperature.</summary>
    public float? Temperature { get; set; }

    /// <summary>Gets or sets nucleus sampling's probability mass (<c>top_p</c>).</summary>
    public float? TopP { get; set; }

    /// <summary>Gets the sequences that end the completion (<c>stop</c>).</summary>
    public IList<string> StopSequences { get; } = [];

    /// <summary>Gets or sets whether the prompt is echoed before the completion (<c>echo</c>).</summary>
    public bool? Echo { get; set; }

    /// <summary>Gets or sets how many most likely tokens to return log probabilities for (<c>logprobs</c>), where the provider supports it.</summary>
    public int? Logprobs { get; set; }

    /// <summary>Gets extra body fields sent as given (wire names), for provider-specific settings.</summary>
    public IDictionary<string, object?> AdditionalProperties { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}
