namespace CompatAI;

/// <summary>What went wrong in a call to an OpenAI-compatible provider, independent of the provider's own wording.</summary>
public enum ProviderErrorKind
{
    /// <summary>The failure could not be classified.</summary>
    Unknown,

    /// <summary>The request was malformed or used a parameter or value the provider rejects (HTTP 400/422).</summary>
    InvalidRequest,

    /// <summary>The API key is missing, invalid or revoked (HTTP 401).</summary>
    Authentication,

    /// <summary>The key is valid but may not use this model, region or feature (HTTP 403).</summary>
    PermissionDenied,

    /// <summary>The account has no credits or balance left (HTTP 402, or a credit-related error code).</summary>
    InsufficientCredits,

    /// <summary>The model or endpoint does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>A short-term rate limit was hit (HTTP 429); <see cref="ProviderException.RetryAfter"/> says when to retry where known.</summary>
    RateLimited,

    /// <summary>A long-term quota (per day, per month, billing) is exhausted; retrying soon will not help.</summary>
    QuotaExceeded,

    /// <summary>The prompt plus the requested output does not fit the model's context window.</summary>
    ContextLengthExceeded,

    /// <summary>The provider's content filter refused the request or the answer.</summary>
    ContentFiltered,

    /// <summary>The provider failed internally (HTTP 500 and other 5xx not covered below).</summary>
    ServerError,

    /// <summary>The provider or model is overloaded or temporarily unavailable (HTTP 502, 503, 504, 520-524, 529), or the connection failed.</summary>
    Unavailable,

    /// <summary>The request did not complete within the configured timeout.</summary>
    Timeout,

    /// <summary>
    /// A response broke off after the provider had started answering, without saying why: a stream cut, stalled or
    /// ended without a finish after output had started, stream data that is not JSON, or a non-streaming body cut
    /// after its 2xx status arrived (never retried: the request reached the model). An error object inside a stream is
    /// classified by its own content instead (with <see cref="ProviderException.OutputStarted"/> set).
    /// </summary>
    StreamInterrupted,
}
