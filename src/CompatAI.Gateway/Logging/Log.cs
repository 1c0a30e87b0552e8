using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Logging;

/// <summary>The gateway's log messages. None of them carries a header value or a key.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Provider '{Name}' configured (catalog provider '{Provider}', passes client credential: {PassThrough}).")]
    public static partial void ProviderConfigured(ILogger logger, string name, string provider, bool passThrough);

    [LoggerMessage(2, LogLevel.Information, "Provider '{Name}' registered in code.")]
    public static partial void ProviderRegistered(ILogger logger, string name);

    [LoggerMessage(3, LogLevel.Debug, "Request {RequestId} rejected: {Status} {Param} {Message}")]
    public static partial void RequestRejected(ILogger logger, string requestId, int status, string? param, string message);

    [LoggerMessage(4, LogLevel.Warning, "Request {RequestId} to provider '{Provider}' failed: {Kind} HTTP {Status}.")]
    public static partial void ProviderFailed(ILogger logger, string requestId, string provider, ProviderErrorKind kind, int? status);

    [LoggerMessage(5, LogLevel.Error, "Request {RequestId} to provider '{Provider}' failed unexpectedly: {ErrorType}: {ErrorMessage}")]
    public static partial void AdapterCrashed(ILogger logger, string requestId, string provider, string errorType, string errorMessage);

    [LoggerMessage(6, LogLevel.Warning, "Request {RequestId}: the stream from '{Provider}' broke after output had started ({Kind}); ending it with an error event.")]
    public static partial void StreamBroken(ILogger logger, string requestId, string provider, string kind);

    [LoggerMessage(7, LogLevel.Debug, "Request {RequestId}: the client went away; the upstream call to '{Provider}' was cancelled.")]
    public static partial void ClientGone(ILogger logger, string requestId, string provider);

    [LoggerMessage(8, LogLevel.Warning, "Provider '{Provider}' could not list its models ({Error}); serving its configured models only.")]
    public static partial void ModelListFailed(ILogger logger, string provider, string error);

    [LoggerMessage(9, LogLevel.Debug, "Request {RequestId} served by '{Provider}' model '{Model}' (stream: {Stream}).")]
    public static partial void Served(ILogger logger, string requestId, string provider, string? model, bool stream);

    [LoggerMessage(10, LogLevel.Information, "Request {RequestId} rejected: missing or wrong gateway key.")]
    public static partial void Unauthorized(ILogger logger, string requestId);

    [LoggerMessage(11, LogLevel.Debug, "The response cache could not {Operation} ({ErrorType}); the request goes to the provider as if it were a miss.")]
    public static partial void CacheUnavailable(ILogger logger, string operation, string errorType);

    [LoggerMessage(12, LogLevel.Information, "Request {RequestId} refused by budget '{Budget}' ({Scope}).")]
    public static partial void BudgetExceeded(ILogger logger, string requestId, string budget, string scope);
}
