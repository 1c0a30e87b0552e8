namespace CompatAI.Gateway.Errors;

/// <summary>Turns a provider's failure into an OpenAI-shaped error that keeps its meaning (status, code, retry delay).</summary>
internal static class ProviderErrorMapper
{
    public static GatewayError Map(ProviderException exception)
    {
        var status = exception.StatusCode is >= 400 and <= 599 ? exception.StatusCode.Value : StatusFor(exception.Kind);
        var (type, defaultCode) = TypeFor(exception.Kind, status);
        return new GatewayError(status, type, exception.Message, null, exception.ErrorCode ?? defaultCode)
        {
            RetryAfter = exception.RetryAfter,
            Provider = exception.ProviderName,
        };
    }

    public static GatewayError Unexpected() =>
        new(502, "upstream_error", "The provider failed in an unexpected way; see the gateway log for details.", null, "upstream_error");

    private static int StatusFor(ProviderErrorKind kind) => kind switch
    {
        ProviderErrorKind.InvalidRequest or ProviderErrorKind.ContextLengthExceeded or ProviderErrorKind.ContentFiltered => 400,
        ProviderErrorKind.Authentication => 401,
        ProviderErrorKind.InsufficientCredits => 402,
        ProviderErrorKind.PermissionDenied => 403,
        ProviderErrorKind.NotFound => 404,
        ProviderErrorKind.RateLimited or ProviderErrorKind.QuotaExceeded => 429,
        ProviderErrorKind.ServerError => 500,
        ProviderErrorKind.Unavailable => 503,
        ProviderErrorKind.Timeout => 504,
        _ => 502,
    };

    private static (string Type, string Code) TypeFor(ProviderErrorKind kind, int status) => kind switch
    {
        ProviderErrorKind.InvalidRequest => ("invalid_request_error", "invalid_request"),
        ProviderErrorKind.ContextLengthExceeded => ("invalid_request_error", "context_length_exceeded"),
        ProviderErrorKind.ContentFiltered => ("invalid_request_error", "content_filter"),
        ProviderErrorKind.Authentication => ("authentication_error", "invalid_api_key"),
        ProviderErrorKind.PermissionDenied => ("permission_error", "permission_denied"),
        ProviderErrorKind.InsufficientCredits => ("insufficient_quota", "insufficient_quota"),
        ProviderErrorKind.NotFound => ("invalid_request_error", "model_not_found"),
        ProviderErrorKind.RateLimited => ("rate_limit_error", "rate_limit_exceeded"),
        ProviderErrorKind.QuotaExceeded => ("insufficient_quota", "insufficient_quota"),
        ProviderErrorKind.Timeout => ("timeout_error", "timeout"),
        ProviderErrorKind.StreamInterrupted => ("server_error", "stream_interrupted"),
        ProviderErrorKind.Unavailable => ("server_error", "unavailable"),
        _ => status < 500 ? ("invalid_request_error", "upstream_error") : ("server_error", "upstream_error"),
    };
}
