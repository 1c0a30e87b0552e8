using System.Net.Http;
using System.Net.Sockets;

namespace CompatAI;

/// <summary>Decides which failures move a <see cref="FallbackChatClient"/> on to its next client.</summary>
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
}
