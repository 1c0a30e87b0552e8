using System.Globalization;
using System.Text.RegularExpressions;

namespace CompatAI;

/// <summary>Reads how long a provider asked the caller to wait: <c>retry-after-ms</c>, <c>retry-after</c> (seconds or an HTTP date), or "try again in 7.5s" in the message.</summary>
internal static partial class RetryAfterParser
{
    public static TimeSpan? FromHeaders(Func<string, string?> header, DateTimeOffset now)
    {
        if (header("retry-after-ms") is { } ms
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (header("retry-after") is { } value)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var wait = date - now;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }

    /// <summary>Parses "try again in 9m38.016s" / "in 250ms" / "in 20 seconds" style hints found in OpenAI, Groq and others' messages.</summary>
    public static TimeSpan? FromMessage(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return null;
        }

        var match = TryAgainIn().Match(message);
        if (!match.Success)
        {
            return null;
        }

        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(match.Groups["d"].Value))
        {
            var number = double.Parse(part.Groups["n"].Value, CultureInfo.InvariantCulture);
            total += part.Groups["u"].Value.ToLowerInvariant() switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                _ => TimeSpan.FromSeconds(number),
            };
        }

        return total > TimeSpan.Zero ? total : null;
    }

    [GeneratedRegex(@"(?i)try again in\s+(?<d>(?:\d+(?:\.\d+)?\s*(?:ms|h|m|s|seconds?)\s*)+)", RegexOptions.CultureInvariant)]
    private static partial Regex TryAgainIn();

    [GeneratedRegex(@"(?i)(?<n>\d+(?:\.\d+)?)\s*(?<u>ms|h|m(?!s)|s)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();
}
