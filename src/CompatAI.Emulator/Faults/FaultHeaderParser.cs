using System.Globalization;

namespace CompatAI.Emulator;

/// <summary>
/// Parses the <c>X-Emulator-Fault</c> request header: <c>status=429;retry-after=2</c>, <c>reset</c>, <c>hang</c>,
/// <c>hang=2s</c>, <c>slow-first-byte=500ms</c>, <c>cut-after=3</c>, <c>error-after=2</c>.
/// </summary>
internal static class FaultHeaderParser
{
    public const string HeaderName = "X-Emulator-Fault";

    /// <summary>Parses <paramref name="value"/>; returns false with a message naming the problem when it is invalid.</summary>
    public static bool TryParse(string value, out EmulatorFault? fault, out string? error)
    {
        fault = null;
        error = null;
        EmulatorFault? result = null;
        TimeSpan? retryAfter = null;

        foreach (var rawPart in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = rawPart.IndexOf('=', StringComparison.Ordinal);
            var key = (eq < 0 ? rawPart : rawPart[..eq]).Trim().ToLowerInvariant();
            var arg = eq < 0 ? null : rawPart[(eq + 1)..].Trim();

            switch (key)
            {
                case "status":
                    if (!int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 100 or > 599)
                    {
                        error = $"'status' needs an HTTP status code between 100 and 599, got '{arg}'.";
                        return false;
                    }

                    result = EmulatorFault.WithStatus(status);
                    break;
                case "retry-after":
                    if (!TryParseDuration(arg, TimeSpan.FromSeconds, out var ra))
                    {
                        error = $"'retry-after' needs a duration such as 2, 2s or 1500ms, got '{arg}'.";
                        return false;
                    }

                    retryAfter = ra;
                    break;
                case "reset":
                    result = EmulatorFault.Reset();
                    break;
                case "hang":
                    TimeSpan hangFor = TimeSpan.Zero;
                    if (arg is not null && !TryParseDuration(arg, TimeSpan.FromMilliseconds, out hangFor))
                    {
                        error = $"'hang' takes an optional duration such as 2s or 500ms, got '{arg}'.";
                        return false;
                    }

                    result = EmulatorFault.HangForever(hangFor);
                    break;
                case "slow-first-byte":
                    if (!TryParseDuration(arg, TimeSpan.FromMilliseconds, out var slow))
                    {
                        error = $"'slow-first-byte' needs a duration such as 500ms or 1s, got '{arg}'.";
                        return false;
                    }

                    result = EmulatorFault.SlowStart(slow);
                    break;
                case "cut-after":
                case "error-after":
                    if (!int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var chunks))
                    {
                        error = $"'{key}' needs a non-negative chunk count, got '{arg}'.";
                        return false;
                    }

                    result = key == "cut-after" ? EmulatorFault.CutAfter(chunks) : EmulatorFault.ErrorAfter(chunks);
                    break;
                default:
                    error = $"unknown fault '{key}'. Use status=<code>[;retry-after=<s>], reset, hang[=<duration>], slow-first-byte=<duration>, cut-after=<n> or error-after=<n>.";
                    return false;
            }
        }

        if (result is null)
        {
            error = retryAfter is null ? "the header is empty." : "'retry-after' needs 'status=<code>' in the same header.";
            return false;
        }

        result.RetryAfter = retryAfter;
        fault = result;
        return true;
    }

    /// <summary>Parses "500ms", "2s", "1.5s" or a bare number interpreted with <paramref name="bareUnit"/>.</summary>
    private static bool TryParseDuration(string? text, Func<double, TimeSpan> bareUnit, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        Func<double, TimeSpan> unit = bareUnit;
        var number = text;
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            unit = TimeSpan.FromMilliseconds;
            number = text[..^2];
        }
        else if (text.EndsWith('s') || text.EndsWith('S'))
        {
            unit = TimeSpan.FromSeconds;
            number = text[..^1];
        }

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return false;
        }

        duration = unit(value);
        return true;
    }
}
