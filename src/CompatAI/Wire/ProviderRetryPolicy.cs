using System.ClientModel.Primitives;

namespace CompatAI;

/// <summary>
/// Retries an HTTP attempt that failed for a transient reason (see <see cref="IsTransient"/>), waiting what the provider
/// asked for (<c>retry-after-ms</c>, <c>retry-after</c>) up to <see cref="RetryOptions.MaxRetryAfter"/>, or an exponential
/// backoff with jitter, within <see cref="RetryOptions.TotalTimeout"/> for all attempts together. Never retries once a 2xx
/// status has arrived. Replaces the SDK's default policy, which retries with no delay.
/// </summary>
/// <remarks>Errors arrive here as <see cref="ProviderException"/>: <see cref="WireNormalizingPolicy"/> sits below and converts every failure.</remarks>
internal sealed class ProviderRetryPolicy(RetryOptions options, TimeProvider timeProvider) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        throw new NotSupportedException("CompatAI's OpenAI-compatible client only issues asynchronous requests.");

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        List<ProviderException>? failures = null;
        var started = timeProvider.GetTimestamp();
        var attemptTimeout = message.NetworkTimeout ?? TimeSpan.FromSeconds(100);
        // The first attempt always gets its full timeout, so the budget is never shorter than that.
        var budget = options.TotalTimeout > attemptTimeout ? options.TotalTimeout : attemptTimeout;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
                return;
            }
            catch (ProviderException ex) when (attempt < options.MaxRetries && IsTransient(ex) && !AnsweredSuccessfully(message) && !message.CancellationToken.IsCancellationRequested
                && GetDelay(ex, attempt) is { } delay && timeProvider.GetElapsedTime(started) + delay < budget)
            {
                (failures ??= []).Add(ex);
                await Task.Delay(delay, timeProvider, message.CancellationToken).ConfigureAwait(false);

                // The next attempt gets what is left of the budget, at most its usual timeout.
                var left = budget - timeProvider.GetElapsedTime(started);
                message.NetworkTimeout = left < attemptTimeout ? left : attemptTimeout;
            }
            catch (ProviderException ex) when (failures is not null)
            {
                failures.Add(ex);
                throw new ProviderException(ex.ProviderName, ex.Kind, $"{ex.Message} (after {failures.Count} attempts)", ex.StatusCode, ex.ErrorCode, ex.RetryAfter, ex)
                {
                    ResponseBody = ex.ResponseBody,
                    Attempts = failures,
                };
            }
        }
    }

    /// <summary>
    /// Whether the provider answered with a 2xx status: whatever went wrong afterwards (a body cut half-way, a body that
    /// is not JSON), the request reached the model and is billed, so it is never sent again.
    /// </summary>
    private static bool AnsweredSuccessfully(PipelineMessage message) => message.Response is { Status: >= 200 and <= 299 };

    internal static bool IsTransient(ProviderException ex) => ex.Kind is ProviderErrorKind.RateLimited
        or ProviderErrorKind.ServerError
        or ProviderErrorKind.Unavailable
        or ProviderErrorKind.Timeout;

    internal TimeSpan? GetDelay(ProviderException ex, int attempt)
    {
        if (ex.RetryAfter is { } requested)
        {
            return requested <= options.MaxRetryAfter ? requested : null;
        }

        var backoff = options.BaseDelay * Math.Pow(2, attempt);
        if (backoff > options.MaxDelay)
        {
            backoff = options.MaxDelay;
        }

        // Full jitter between half and the whole backoff keeps synchronized clients from retrying in lockstep.
        return backoff * (0.5 + (Random.Shared.NextDouble() * 0.5));
    }
}
