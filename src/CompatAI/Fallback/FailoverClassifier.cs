using System.Net.Http;
using System.Net.Sockets;
using Polly.CircuitBreaker;

namespace CompatAI;

/// <summary>Decides which failures move a <see cref="FallbackChatClient"/> (or a <see cref="RouterChatClient"/>) on to its next client.</summary>
internal static class FailoverClassifier
{
    /// <summary>
    /// Converts a failure of one client into a <see cref="ProviderException"/>, or returns <see langword="null"/> for
    /// failures that are not the provider's (argument errors, caller cancellation): those surface unchanged.
    /// </summary>
    public static ProviderException? ToProviderException(Exception exception, string providerName, bool attemptTimedOut)
    {
        return exception switch
        {
            ProviderException provider => provider,
            OperationCanceledException when attemptTimedOut => new ProviderException(providerName, ProviderErrorKind.Timeout, $"The attempt on '{providerName}' exceeded the fallback attempt timeout.", innerException: exception),
            TimeoutException => new ProviderException(providerName, ProviderErrorKind.Timeout, $"The call to '{providerName}' timed out.", innerException: exception),
            HttpRequestException or SocketException or IOException => new ProviderException(providerName, ProviderErrorKind.Unavailable, $"Could not reach '{providerName}': {exception.Message}", innerException: exception),
            _ => null,
        };
    }

    /// <summary>Returns whether the next client should be tried after <paramref name="error"/>.</summary>
    public static bool ShouldFallOver(ProviderException error, FallbackOptions options) => error.Kind switch
    {
        ProviderErrorKind.RateLimited or ProviderErrorKind.QuotaExceeded or ProviderErrorKind.InsufficientCredits
            or ProviderErrorKind.ServerError or ProviderErrorKind.Unavailable or ProviderErrorKind.Timeout
            or ProviderErrorKind.Authentication or ProviderErrorKind.PermissionDenied or ProviderErrorKind.NotFound
            or ProviderErrorKind.StreamInterrupted => true,
        ProviderErrorKind.ContextLengthExceeded => options.FallOverOnContextLength,
        _ => false,
    };

    /// <summary>Returns whether <paramref name="error"/> counts against the client's circuit breaker (its health, not the request's fault).</summary>
    public static bool CountsAgainstHealth(Exception error) => error is ProviderException p && p.Kind switch
    {
        ProviderErrorKind.RateLimited or ProviderErrorKind.QuotaExceeded or ProviderErrorKind.InsufficientCredits
            or ProviderErrorKind.ServerError or ProviderErrorKind.Unavailable or ProviderErrorKind.Timeout
            or ProviderErrorKind.Authentication or ProviderErrorKind.PermissionDenied or ProviderErrorKind.StreamInterrupted => true,
        _ => false,
    };

    /// <summary>
    /// Records <paramref name="error"/> of an attempt on <paramref name="route"/> and returns whether it moves the request on
    /// to the next client: an open circuit counts as skipped, a rate limit with Retry-After starts the route's cooldown.
    /// </summary>
    public static bool Record(Exception error, FallbackRoute route, List<ProviderException> failures, FallbackOptions options)
    {
        if (error is BrokenCircuitException)
        {
            // The breaker refused the call: the client was skipped, not tried.
            failures.Add(new ProviderException(route.Name, ProviderErrorKind.Unavailable, $"'{route.Name}' was skipped: its circuit breaker is open after repeated failures.", innerException: error));
            route.TraceFailure("circuit_open");
            return true;
        }

        if (error is not ProviderException provider || !ShouldFallOver(provider, options))
        {
            return false;
        }

        if (provider.Kind == ProviderErrorKind.RateLimited && provider.RetryAfter is { } wait && wait > TimeSpan.Zero)
        {
            route.CoolDown(wait);
        }

        failures.Add(provider);
        route.TraceFailure(provider.Kind.ToString());
        return true;
    }

    /// <summary>The error thrown when every client failed or was skipped: the last failure's kind, every attempt in <see cref="ProviderException.Attempts"/>.</summary>
    public static ProviderException AllFailed(List<ProviderException> failures, string name, string message)
    {
        var last = failures.Count > 0 ? failures[^1] : null;
        string summary = string.Join("; ", failures.Select(static f => $"{f.ProviderName}: {f.Kind}"));
        return new ProviderException(
            name,
            last?.Kind ?? ProviderErrorKind.Unavailable,
            $"{message} ({summary}).",
            last?.StatusCode,
            last?.ErrorCode,
            failures.Where(static f => f.RetryAfter is not null).Select(static f => f.RetryAfter).Min(),
            last)
        {
            Attempts = [.. failures],
        };
    }
}
