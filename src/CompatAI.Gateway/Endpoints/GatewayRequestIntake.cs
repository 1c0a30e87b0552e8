using CompatAI.Gateway.Errors;
using CompatAI.Gateway.Headers;
using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Logging;
using CompatAI.Gateway.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Endpoints;

/// <summary>
/// What every <c>POST /v1/...</c> endpoint does before its own work: answer a gateway bug in OpenAI's shape, check the
/// gateway key and the JSON content type, and read the body within the gateway's limits and budget.
/// </summary>
internal static class GatewayRequestIntake
{
    /// <summary>Runs <paramref name="handler"/>, answering a gateway bug in OpenAI's shape rather than with an empty 500.</summary>
    public static async Task GuardAsync(HttpContext http, ILogger logger, Func<HttpContext, Task> handler)
    {
        try
        {
            await handler(http).ConfigureAwait(false);
        }
        catch (Exception ex) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            Log.AdapterCrashed(logger, http.TraceIdentifier, "gateway", ex.GetType().FullName ?? ex.GetType().Name, Redact(ex.Message, InboundHeaderFilter.ReadCredential(http.Request.Headers)));
            http.Response.Clear();
            await GatewayHttp.WriteErrorAsync(http, new GatewayError(500, "server_error", "The gateway failed unexpectedly; see its log.", null, "internal_error")).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Authorizes the request and reads its body; <see langword="null"/> when the request was answered with an error (or
    /// the client went away). The body holds its reservation in the gateway's budget until disposed.
    /// </summary>
    public static async Task<(BufferedRequestBody Body, string? Credential)?> ReadAsync(HttpContext http, GatewayRuntime runtime, ILogger logger)
    {
        if (!GatewayHttp.TryAuthorize(http, runtime, out var credential, out var authError))
        {
            Log.Unauthorized(logger, http.TraceIdentifier);
            await GatewayHttp.WriteErrorAsync(http, authError!).ConfigureAwait(false);
            return null;
        }

        if (!GatewayHttp.IsJson(http.Request.ContentType))
        {
            await RejectAsync(http, logger, new GatewayError(415, "invalid_request_error",
                $"The request body must be JSON: send 'Content-Type: application/json' (got '{http.Request.ContentType ?? "none"}').", null, "unsupported_media_type")).ConfigureAwait(false);
            return null;
        }

        try
        {
            var limits = runtime.Options.Limits;
            var body = await GatewayHttp.ReadBodyAsync(http.Request, runtime.Options.MaxRequestBodyBytes, runtime.BodyBudget, limits.RetryAfter, http.RequestAborted, limits.RequestBodyTimeout).ConfigureAwait(false);
            if (body is null)
            {
                await RejectAsync(http, logger, new GatewayError(413, "invalid_request_error",
                    $"The request body is larger than the gateway's limit of {runtime.Options.MaxRequestBodyBytes} bytes (CompatAI:Gateway:MaxRequestBodyBytes).", null, "request_too_large")).ConfigureAwait(false);
                return null;
            }

            return (body, credential);
        }
        catch (RequestValidationException ex)
        {
            await RejectAsync(http, logger, ex.Error).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException && http.RequestAborted.IsCancellationRequested)
        {
            return null;
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own complaints about the body (truncated, too large) still get an OpenAI-shaped answer.
            await RejectAsync(http, logger, new GatewayError(ex.StatusCode, "invalid_request_error", "The request body could not be read: " + ex.Message, null, ex.StatusCode == 413 ? "request_too_large" : "invalid_body")).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Logs and answers a request the gateway refuses.</summary>
    public static Task RejectAsync(HttpContext http, ILogger logger, GatewayError error)
    {
        Log.RequestRejected(logger, http.TraceIdentifier, error.Status, error.Param, error.Message);
        return GatewayHttp.WriteErrorAsync(http, error);
    }

    /// <summary>Removes the client's credential from a message before it is logged or answered.</summary>
    public static string Redact(string message, string? credential) =>
        string.IsNullOrEmpty(credential) ? message : message.Replace(credential, "***", StringComparison.Ordinal);
}
