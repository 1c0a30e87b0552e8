using System.Globalization;
using System.Text;

namespace CompatAI.Gateway.Errors;

/// <summary>
/// Makes a client-supplied value (a model name, a tool name, a key) safe to repeat in an error body or a log line: at
/// most <see cref="MaxEchoLength"/> characters, with control characters written as <c>\uXXXX</c> so that no value can
/// forge a log line or make an error body large.
/// </summary>
internal static class GatewayText
{
    /// <summary>The most characters of a client value repeated back.</summary>
    public const int MaxEchoLength = 128;

    public static string Echo(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var cut = value.Length > MaxEchoLength;
        var text = cut ? value.AsSpan(0, MaxEchoLength) : value.AsSpan();
        if (!cut && !NeedsEscaping(text))
        {
            return value;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        if (cut)
        {
            builder.Append("…(").Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(" chars)");
        }

        return builder.ToString();
    }

    private static bool NeedsEscaping(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }
}
