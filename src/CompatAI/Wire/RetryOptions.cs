namespace CompatAI;

/// <summary>How the OpenAI-compatible client retries a failed HTTP attempt (connection failures, 408, 429, 5xx, 520-524, 529).</summary>
/// <remarks>The OpenAI SDK's default retry policy retries with no delay at all; CompatAI always replaces it with this one.</remarks>
public sealed class RetryOptions
{
    /// <summary>Gets or sets the number of retries after the first attempt. Default: 2. Zero disables retries.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Gets or sets the delay before the first retry when the provider gives none; it doubles on each retry, with jitter. Default: 0.5 seconds.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest computed backoff delay. Default: 8 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Gets or sets the longest wait the provider may ask for (<c>retry-after-ms</c>, <c>retry-after</c> seconds or date).
    /// A longer request is not waited for: the error surfaces at once, with <see cref="ProviderException.RetryAfter"/> set,
    /// so a fallback chain can move on. Default: 30 seconds.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the most time all attempts of one call may take together, waits included: a retry that would not
    /// start in time is not made, and the last attempt gets only the time that is left (as its network timeout). So a
    /// provider that hangs fails with <see cref="ProviderErrorKind.Timeout"/> after at most this long, not after every
    /// attempt's full timeout. The first attempt always gets its full per-attempt timeout, so the bound is the longer of
    /// the two. Default: 2 minutes.
    /// </summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    internal void Validate()
    {
        if (TotalTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TotalTimeout), TotalTimeout, "RetryOptions.TotalTimeout must be positive.");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "RetryOptions.MaxRetries must be zero or more.");
        }

        if (BaseDelay < TimeSpan.Zero || MaxDelay < TimeSpan.Zero || MaxRetryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseDelay), "RetryOptions delays must not be negative.");
        }
    }
}
