using System.Text.RegularExpressions;

namespace CompatAI;

/// <summary>Removes API keys and bearer tokens from text before it reaches an exception, a log or an error body.</summary>
internal static partial class SecretRedactor
{
    internal const string Mask = "[REDACTED]";

    /// <summary>Returns <paramref name="text"/> with <paramref name="apiKey"/>, well-known key shapes and masked key echoes replaced.</summary>
    public static string Redact(string text, string? apiKey)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        if (!string.IsNullOrEmpty(apiKey) && apiKey.Length >= 4)
        {
            text = text.Replace(apiKey, Mask, StringComparison.Ordinal);
        }

        return KnownSecretShapes().Replace(text, Mask);
    }

    // Bearer tokens, OpenAI/Groq/xAI/OpenRouter/Anthropic-style keys, and providers' own partially masked echoes of a key
    // ("Incorrect API key provided: sk-abc***xyz"), whose visible ends are still part of the secret.
    [GeneratedRegex(@"(?i)\bbearer\s+[^\s""',;]+|\b(?:sk|gsk|xai|pk|rk|csk|nvapi|hf)[-_][A-Za-z0-9_\-]{8,}|[^\s""',;:]*\*{4,}[^\s""',;.]*|(?<=api key provided:\s*)[^\s""',;]+", RegexOptions.CultureInvariant)]
    private static partial Regex KnownSecretShapes();
}
