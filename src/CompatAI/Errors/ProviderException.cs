namespace CompatAI;

/// <summary>
/// A failure reported by (or while talking to) an OpenAI-compatible provider, classified into a
/// <see cref="ProviderErrorKind"/> whatever shape the provider's error body had.
/// </summary>
/// <remarks>The message never contains the API key: bodies and headers are redacted before they reach it.</remarks>
public class ProviderException : Exception
{
    /// <summary>Creates an exception for a failed provider call.</summary>
    /// <param name="providerName">The catalog name of the provider, for example <c>groq</c>.</param>
    /// <param name="kind">The classified kind of failure.</param>
    /// <param name="message">A message a person can act on.</param>
    /// <param name="statusCode">The HTTP status code, when there was a response.</param>
    /// <param name="errorCode">The provider's own error code (<c>error.code</c>, or <c>error.type</c> when there is no code).</param>
    /// <param name="retryAfter">How long the provider asked the caller to wait, when it said.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public ProviderException(
        string providerName,
        ProviderErrorKind kind,
        string message,
        int? statusCode = null,
        string? errorCode = null,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerName);
        ProviderName = providerName;
        Kind = kind;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the catalog name of the provider that failed, for example <c>groq</c>.</summary>
    public string ProviderName { get; }

    /// <summary>Gets the HTTP status code of the failed response, or <see langword="null"/> when no response arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the classified kind of failure.</summary>
    public ProviderErrorKind Kind { get; }

    /// <summary>Gets the provider's own error code, such as <c>rate_limit_exceeded</c> or <c>2013</c>, when it sent one.</summary>
    public string? ErrorCode { get; }

    /// <summary>Gets how long the provider asked the caller to wait before retrying, when it said so.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets the provider's raw error body with secrets redacted, when there was one (at most 8 KB).</summary>
    public string? ResponseBody { get; init; }

    /// <summary>
    /// Gets whether the provider had already streamed output when the failure happened, so that what the caller received
    /// is a partial answer. An error object inside a stream keeps its own <see cref="Kind"/> either way;
    /// <see cref="ProviderErrorKind.StreamInterrupted"/> is for streams that break or end without one.
    /// </summary>
    public bool OutputStarted { get; init; }

    /// <summary>Gets the failures of the earlier attempts, for errors raised after several attempts (retries or fallback).</summary>
    public IReadOnlyList<ProviderException> Attempts { get; init; } = [];

    /// <inheritdoc />
    public override string ToString()
    {
        var status = StatusCode is { } s ? $" HTTP {s}" : string.Empty;
        var code = ErrorCode is null ? string.Empty : $" code={ErrorCode}";
        return $"{GetType().FullName} [{ProviderName}{status} {Kind}{code}]: {Message}{(InnerException is null ? string.Empty : Environment.NewLine + " ---> " + InnerException)}{Environment.NewLine}{StackTrace}";
    }
}
