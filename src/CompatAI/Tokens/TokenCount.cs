namespace CompatAI;

/// <summary>The number of tokens a prompt costs, and whether that number is exact for the model.</summary>
/// <param name="Tokens">The counted tokens.</param>
/// <param name="IsEstimate">
/// <see langword="true"/> when the number is an estimate: the model is not an OpenAI model whose tokenizer is known
/// (the count then uses <c>o200k_base</c>), or the prompt holds parts whose cost has no published rule (images, tool
/// calls and tool results).
/// </param>
/// <param name="Encoding">The tiktoken encoding used, for example <c>o200k_base</c>.</param>
public readonly record struct TokenCount(int Tokens, bool IsEstimate, string Encoding);
