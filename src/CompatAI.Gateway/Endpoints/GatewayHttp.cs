using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CompatAI.Gateway.Errors;
using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Headers;
using CompatAI.Gateway.Wire;
using Microsoft.AspNetCore.Http;

namespace CompatAI.Gateway.Endpoints;

/// <summary>Shared HTTP plumbing of the endpoints: gateway keys, body reading, error bodies and the gateway's own headers.</summary>
internal static class GatewayHttp
{
    /// <summary>Names the provider that served the request.</summary>
    public const string ProviderHeader = "x-compat-provider";

    /// <summary>The gateway's own time in milliseconds (total minus the provider's), measured until the response headers.</summary>
    public const string OverheadHeader = "x-compat-overhead-ms";

    /// <summary>Checks the gateway key when keys are configured; returns the client's credential to pass through, if any.</summary>
    public static bool TryAuthorize(HttpContext context, GatewayRuntime runtime, out string? passThroughCredential, out GatewayError? error)
    {
        var credential = InboundHeaderFilter.ReadCredential(context.Request.Headers);
        error = null;
        if (!runtime.RequiresKey)
        {
            passThroughCredential = credential;
            return true;
        }

        passThroughCredential = null;
        if (runtime.IsValidKey(credential))
        {
            return true;
        }

        error = new GatewayError(401, "invalid_request_error",
            credential is null
                ? "This gateway requires a key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'."
                : "The gateway key is not valid. Check the key configured in CompatAI:Gateway:Keys.",
            null, "invalid_api_key");
        return false;
    }

    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
               (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Reads the body into a pooled buffer; <see langword="null"/> when it exceeds <paramref name="limit"/>. With a
    /// <paramref name="deadline"/>, a client that has not sent the whole body in time gets a <c>408</c>
    /// (<see cref="RequestValidationException"/>).
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken, TimeSpan? deadline = null)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            return null;
        }

        if (deadline is { } timeout)
        {
            using var deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadlineCts.CancelAfter(timeout);
            try
            {
                return await ReadBodyAsync(request, limit, deadlineCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadlineCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new RequestValidationException(new GatewayError(408, "invalid_request_error",
                    $"The request body did not arrive within {timeout.TotalSeconds:0.#} s (CompatAI:Gateway:Limits:RequestBodyTimeout).", null, "request_timeout"));
            }
        }

        var size = request.ContentLength is { } known ? (int)Math.Max(known, 1) : 16 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(size, limit) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return null;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return (buffer, length);
    }

    public static Task WriteErrorAsync(HttpContext context, GatewayError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        if (error.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(0, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (error.Provider is { } provider)
        {
            response.Headers[ProviderHeader] = provider;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(ToBody(error), GatewayJson.Context.ErrorBodyDto);
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    public static ErrorBodyDto ToBody(GatewayError error) => new()
    {
        Error = new ErrorDto { Message = error.Message, Type = error.Type, Param = error.Param, Code = error.Code, Provider = error.Provider },
    };

    public static void SetOverhead(HttpResponse response, long elapsedTicks)
    {
        var ms = elapsedTicks * 1000.0 / Stopwatch.Frequency;
        response.Headers[OverheadHeader] = ms.ToString("0.000", CultureInfo.InvariantCulture);
    }
}
