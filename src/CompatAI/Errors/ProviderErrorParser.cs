using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CompatAI;

/// <summary>
/// Turns any provider error (an HTTP error response, an error object inside a 200 body or an SSE stream) into a
/// <see cref="ProviderException"/>. Understands every shape seen in recorded traffic: OpenAI's
/// <c>{"error":{message,type,param,code}}</c> with string or numeric code, the flat <c>{"object":"error",...}</c> of vLLM
/// and Mistral, Gemini's array, xAI's <c>{code, error:"..."}</c>, FastAPI's <c>{detail:[...]}</c>, OpenRouter's
/// wrapped upstream error in <c>metadata.raw</c>, and plain text or HTML of any content type.
/// </summary>
internal static class ProviderErrorParser
{
    private const int MaxBodyChars = 8 * 1024;
    private const int MaxMessageChars = 1000;

    /// <summary>The parts of an error body, before classification.</summary>
    internal readonly record struct ErrorFields(string? Message, string? Type, string? Code, string? Param, int? StatusHint);

    public static ProviderException FromResponse(
        string providerName,
        int status,
        string? reasonPhrase,
        Func<string, string?> header,
        ReadOnlySpan<byte> body,
        string? apiKey)
    {
        var text = DecodeBody(body);
        var fields = ReadFields(text);
        var retryAfter = RetryAfterParser.FromHeaders(header, DateTimeOffset.UtcNow) ?? RetryAfterParser.FromMessage(fields.Message);
        var kind = Classify(status, fields);
        var message = ComposeMessage(providerName, status, reasonPhrase, fields, text);
        return new ProviderException(
            providerName,
            kind,
            SecretRedactor.Redact(message, apiKey),
            status,
            fields.Code ?? fields.Type,
            retryAfter)
        {
            ResponseBody = text.Length == 0 ? null : SecretRedactor.Redact(Truncate(text, MaxBodyChars), apiKey),
        };
    }

    /// <summary>
    /// Builds the exception for an error object found inside a successful (HTTP 200) body or stream. It is classified
    /// like the same error over HTTP (kind, status and code from the body), whether or not output had started: that
    /// is a separate fact, in <see cref="ProviderException.OutputStarted"/>.
    /// </summary>
    public static ProviderException FromInlineError(string providerName, ReadOnlySpan<byte> json, string? apiKey, bool outputStarted)
    {
        var text = DecodeBody(json);
        var fields = ReadFields(text);
        var kind = Classify(fields.StatusHint ?? 0, fields);
        var prefix = outputStarted ? "the stream broke off with an error after output had started" : "the response carried an error";
        var detail = fields.Message ?? Truncate(text, MaxMessageChars);
        var code = fields.Code ?? fields.Type;
        var message = $"{providerName}: {prefix}{(code is null ? string.Empty : $" ({code})")}: {detail}";
        return new ProviderException(providerName, kind, SecretRedactor.Redact(message, apiKey), fields.StatusHint, code, RetryAfterParser.FromMessage(fields.Message))
        {
            ResponseBody = SecretRedactor.Redact(Truncate(text, MaxBodyChars), apiKey),
            OutputStarted = outputStarted,
        };
    }

    internal static ProviderErrorKind Classify(int status, ErrorFields fields)
    {
        var haystack = string.Join(' ', fields.Message, fields.Type, fields.Code).ToLowerInvariant();

        if (ContainsAny(haystack, "context_length", "context length", "exceed_context", "context size", "context window", "maximum context", "prompt is too long", "too many input tokens", "reduce the length"))
        {
            return ProviderErrorKind.ContextLengthExceeded;
        }

        if (ContainsAny(haystack, "content_filter", "content_policy", "content management policy", "safety system", "content filter", "flagged"))
        {
            return ProviderErrorKind.ContentFiltered;
        }

        if (status == 402 || ContainsAny(haystack, "insufficient_balance", "insufficient balance", "insufficient_credits", "insufficient credits", "payment required", "out of credits"))
        {
            return ProviderErrorKind.InsufficientCredits;
        }

        if (ContainsAny(haystack, "insufficient_quota", "quota exceeded", "exceeded your current quota", "per day", "per-day", "per_day", "(tpd)", "(rpd)", "daily limit", "monthly limit", "resource_exhausted") && status is 429 or 403 or 0)
        {
            return ProviderErrorKind.QuotaExceeded;
        }

        switch (status)
        {
            case 400 or 409 or 413 or 415 or 422:
                return ProviderErrorKind.InvalidRequest;
            case 401:
                return ProviderErrorKind.Authentication;
            case 403:
                return ProviderErrorKind.PermissionDenied;
            case 404:
                return ProviderErrorKind.NotFound;
            case 408:
                return ProviderErrorKind.Timeout;
            case 429:
                return ProviderErrorKind.RateLimited;
            case 502 or 503 or 504 or (>= 520 and <= 524) or 529:
                return ProviderErrorKind.Unavailable;
            case >= 500 and <= 599:
                return ProviderErrorKind.ServerError;
        }

        // No usable status (an error inside a 200 body or a stream): fall back on the provider's type and code words.
        if (ContainsAny(haystack, "rate_limit", "rate limit", "too many requests", "too many tokens"))
        {
            return ProviderErrorKind.RateLimited;
        }

        if (ContainsAny(haystack, "invalid_api_key", "authentication", "unauthorized", "invalid api key"))
        {
            return ProviderErrorKind.Authentication;
        }

        if (ContainsAny(haystack, "overloaded", "unavailable", "capacity"))
        {
            return ProviderErrorKind.Unavailable;
        }

        if (ContainsAny(haystack, "invalid_request", "badrequest", "bad_request", "invalid"))
        {
            return ProviderErrorKind.InvalidRequest;
        }

        if (ContainsAny(haystack, "server_error", "internal"))
        {
            return ProviderErrorKind.ServerError;
        }

        return ProviderErrorKind.Unknown;
    }

    internal static ErrorFields ReadFields(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty || (trimmed[0] != '{' && trimmed[0] != '[' && trimmed[0] != '"'))
        {
            return new ErrorFields(trimmed.IsEmpty ? null : PlainTextMessage(trimmed.ToString()), null, null, null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true });
            return FromElement(document.RootElement, depth: 0);
        }
        catch (JsonException)
        {
            return new ErrorFields(PlainTextMessage(trimmed.ToString()), null, null, null, null);
        }
    }

    private static ErrorFields FromElement(JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return new ErrorFields(element.GetString(), null, null, null, null);
            case JsonValueKind.Array:
                // Gemini: [{"error":{...}}]; FastAPI-style lists of {msg, loc}.
                foreach (var item in element.EnumerateArray())
                {
                    return FromElement(item, depth + 1);
                }

                return default;
            case JsonValueKind.Object:
                break;
            default:
                return default;
        }

        if (element.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.Object)
            {
                var inner = FlatFields(error);
                if (depth < 2 && error.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                    && metadata.TryGetProperty("raw", out var raw) && raw.ValueKind == JsonValueKind.String)
                {
                    // OpenRouter wraps the upstream provider's error body, as a JSON string, in metadata.raw.
                    var upstream = ReadFields(raw.GetString() ?? string.Empty);
                    var upstreamName = metadata.TryGetProperty("provider_name", out var pn) && pn.ValueKind == JsonValueKind.String ? pn.GetString() : "upstream";
                    if (upstream.Message is not null)
                    {
                        inner = inner with
                        {
                            Message = $"{inner.Message} ({upstreamName}: {upstream.Message})",
                            Type = inner.Type ?? upstream.Type,
                            Code = upstream.Code ?? inner.Code,
                        };
                    }
                }

                return inner;
            }

            if (error.ValueKind == JsonValueKind.String)
            {
                // xAI: {"code": "Some resource has been exhausted", "error": "Too many tokens ..."}
                return new ErrorFields(error.GetString(), null, ScalarText(element, "code"), null, null);
            }
        }

        if (element.TryGetProperty("detail", out var detail))
        {
            if (detail.ValueKind == JsonValueKind.String)
            {
                return new ErrorFields(detail.GetString(), null, null, null, null);
            }

            if (detail.ValueKind == JsonValueKind.Array)
            {
                var parts = new List<string>();
                string? param = null;
                foreach (var item in detail.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        var msg = ScalarText(item, "msg") ?? ScalarText(item, "message");
                        if (item.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array)
                        {
                            var path = string.Join('.', loc.EnumerateArray().Select(l => l.ToString()).Where(l => l != "body"));
                            param ??= path;
                            msg = $"{path}: {msg}";
                        }

                        if (msg is not null)
                        {
                            parts.Add(msg);
                        }
                    }
                    else if (item.ValueKind == JsonValueKind.String)
                    {
                        parts.Add(item.GetString()!);
                    }
                }

                return new ErrorFields(parts.Count == 0 ? null : string.Join("; ", parts), null, null, param, null);
            }
        }

        if (element.TryGetProperty("base_resp", out var baseResp) && baseResp.ValueKind == JsonValueKind.Object)
        {
            // MiniMax native envelope.
            return new ErrorFields(ScalarText(baseResp, "status_msg"), null, ScalarText(baseResp, "status_code"), null, null);
        }

        return FlatFields(element);
    }

    private static ErrorFields FlatFields(JsonElement obj)
    {
        var code = ScalarText(obj, "code");
        int? statusHint = null;
        foreach (var name in (ReadOnlySpan<string>)["code", "http_code", "status", "raw_status_code"])
        {
            if (ScalarText(obj, name) is { } s && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 400 and <= 599)
            {
                statusHint = n;
                break;
            }
        }

        // A numeric code that merely repeats the HTTP status adds nothing as an error code.
        if (statusHint is { } hint && code == hint.ToString(CultureInfo.InvariantCulture))
        {
            code = null;
        }

        var type = ScalarText(obj, "type");
        if (type is null && ScalarText(obj, "status") is { } status && !int.TryParse(status, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            type = status; // Gemini: "status": "INVALID_ARGUMENT"
        }

        return new ErrorFields(ScalarText(obj, "message") ?? ScalarText(obj, "msg"), type, code, ScalarText(obj, "param"), statusHint);
    }

    private static string? ScalarText(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => string.IsNullOrEmpty(value.GetString()) ? null : value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    private static string ComposeMessage(string providerName, int status, string? reasonPhrase, ErrorFields fields, string text)
    {
        var detail = fields.Message ?? (text.Length == 0 ? reasonPhrase : PlainTextMessage(text)) ?? "no error details were sent";
        var code = fields.Code ?? fields.Type;
        var builder = new StringBuilder(providerName).Append(" returned HTTP ").Append(status.ToString(CultureInfo.InvariantCulture));
        if (code is not null)
        {
            builder.Append(" (").Append(code).Append(')');
        }

        builder.Append(": ").Append(Truncate(detail, MaxMessageChars));
        if (fields.Param is not null)
        {
            builder.Append(" [param: ").Append(fields.Param).Append(']');
        }

        return builder.ToString();
    }

    private static string PlainTextMessage(string text)
    {
        // Strip HTML tags from gateway error pages so the message stays readable.
        if (text.StartsWith('<'))
        {
            text = System.Text.RegularExpressions.Regex.Replace(text, "<[^>]+>", " ", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }

        return Truncate(string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), MaxMessageChars);
    }

    private static string DecodeBody(ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBodyChars * 4)
        {
            body = body[..(MaxBodyChars * 4)];
        }

        return Encoding.UTF8.GetString(body).Trim();
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");

    private static bool ContainsAny(string haystack, params ReadOnlySpan<string> needles)
    {
        foreach (var needle in needles)
        {
            if (haystack.Contains(needle, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
