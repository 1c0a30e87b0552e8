using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace CompatAI;

/// <summary>
/// Maps tool-call ids to Mistral's nine-character alphanumeric form. The mapping is a hash of the original id, so the
/// same id maps the same way in every request of a conversation (and across processes); ids that already fit are kept.
/// The reverse map restores the caller's ids in responses that echo them.
/// </summary>
internal sealed class ToolCallIdMapper
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int MaxRemembered = 10_000;
    private readonly ConcurrentDictionary<string, string> _reverse = new(StringComparer.Ordinal);

    public static bool Fits(string id)
    {
        if (id.Length != 9)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    public string ToProvider(string id)
    {
        if (Fits(id))
        {
            return id;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        Span<char> mapped = stackalloc char[9];
        for (int i = 0; i < 9; i++)
        {
            mapped[i] = Alphabet[hash[i] % Alphabet.Length];
        }

        string result = new(mapped);
        if (_reverse.Count < MaxRemembered)
        {
            _reverse[result] = id;
        }

        return result;
    }

    public string ToCaller(string id) => _reverse.TryGetValue(id, out var original) ? original : id;
}
