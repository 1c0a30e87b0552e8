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

    /// <summary>Says whether the response cache answered: <c>hit</c> or <c>miss</c> (absent when the cache is off or was not asked).</summary>
    public const string CacheHeader = "x-compat-cache";

    /// <summary>
    /// Says why the model <c>router</c> chose the provider that served: <c>strategy=cost; candidate=beta; rank=1;
    /// score=1.2E-05; attempts=1</c> (absent for other models).
    /// </summary>
    public const string RouteHeader = "x-compat-route";

    /// <summary>Sets <see cref="CacheHeader"/> from the request's cache lookup, if there was one, and <see cref="RouteHeader"/> when a router chose.</summary>
    public static void SetOutcomeHeaders(HttpResponse response, Adapters.GatewayRequestContext context)
    {
        if (context.RouteReason is { } route)
        {
            response.Headers[RouteHeader] = route;
        }

        if (context.CacheHit is { } hit)
        {
            response.Headers[CacheHeader] = hit ? "hit" : "miss";
        }
    }

    /// <summary>
    /// A budget's refusal: <c>429</c> with type and code <c>budget_exceeded</c>, the library's message (budget name, scope,
    /// the key's short id or the tenant, spent, limit, window end) and <c>Retry-After</c> until the window ends.
    /// </summary>
    public static GatewayError BudgetExceeded(BudgetExceededException exception)
    {
        var wait = exception.WindowEnd - DateTimeOffset.UtcNow;
        return new GatewayError(429, "budget_exceeded", exception.Message, null, "budget_exceeded")
        {
            RetryAfter = wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        };
    }

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

    /// <summary>Bodies up to this size are read into pooled buffers; larger ones into an array of their exact size, which the GC reclaims once parsed (a pool would keep it).</summary>
    internal const int PooledBodyBytes = 1024 * 1024;

    /// <summary>
    /// Reserves the body's size in <paramref name="budget"/>, then reads the body; <see langword="null"/> when it exceeds
    /// <paramref name="limit"/>. With a <paramref name="deadline"/> (covering the wait and the read), a client that has not
    /// sent the whole body in time gets a <c>408</c>, and a body that found no room in the budget in time a <c>429</c>
    /// (<see cref="RequestValidationException"/>).
    /// </summary>
    public static async Task<BufferedRequestBody?> ReadBodyAsync(HttpRequest request, int limit, RequestBodyBudget budget, TimeSpan retryAfter, CancellationToken cancellationToken, TimeSpan? deadline = null)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            return null;
        }

        using var deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (deadline is { } timeout)
        {
            deadlineCts.CancelAfter(timeout);
        }

        var token = deadlineCts.Token;
        IDisposable? lease = null;
        var waiting = true;
        try
        {
            // A chunked body reserves 1 MiB, and the whole limit once it grows past that (giving the first reservation
            // back before waiting, so that two growing bodies never wait for each other).
            var reserved = request.ContentLength ?? Math.Min(limit, PooledBodyBytes);
            lease = await budget.AcquireAsync(reserved, token).ConfigureAwait(false);
            waiting = false;
            var (buffer, length, pooled) = await ReadAsync(request, limit, request.ContentLength, async () =>
            {
                lease.Dispose();
                waiting = true;
                lease = await budget.AcquireAsync(limit, token).ConfigureAwait(false);
                waiting = false;
            }, token).ConfigureAwait(false);
            if (buffer is null)
            {
                lease.Dispose();
                return null;
            }

            return new BufferedRequestBody(buffer, length, pooled, lease);
        }
        catch (OperationCanceledException) when (deadlineCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            lease?.Dispose();
            if (waiting)
            {
                var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
                throw new RequestValidationException(new GatewayError(429, "rate_limit_error",
                    $"The gateway is holding its limit of {budget.MaxBytes} bytes of request bodies (CompatAI:Gateway:Limits:MaxBufferedRequestBodyBytes) and this body found no room within {deadline!.Value.TotalSeconds:0.#} s; retry after {seconds} s.",
                    null, "gateway_busy") { RetryAfter = TimeSpan.FromSeconds(seconds) });
            }

            throw new RequestValidationException(new GatewayError(408, "invalid_request_error",
                $"The request body did not arrive within {deadline!.Value.TotalSeconds:0.#} s (CompatAI:Gateway:Limits:RequestBodyTimeout).", null, "request_timeout"));
        }
        catch
        {
            lease?.Dispose();
            throw;
        }
    }

    private static async Task<(byte[]? Buffer, int Length, bool Pooled)> ReadAsync(HttpRequest request, int limit, long? declared, Func<Task> growingPastPool, CancellationToken cancellationToken)
    {
        // A known length gets a buffer one byte larger, so that the read that returns 0 needs no growth.
        var size = declared is { } known ? (int)Math.Min(known + 1, limit + 1L) : 16 * 1024;
        var pooled = size <= PooledBodyBytes;
        var buffer = pooled ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        Return(buffer, pooled);
                        return (null, 0, false);
                    }

                    var next = Math.Min(buffer.Length * 2, limit + 1);
                    var grownPooled = next <= PooledBodyBytes;
                    if (pooled && !grownPooled)
                    {
                        await growingPastPool().ConfigureAwait(false);
                    }

                    var bigger = grownPooled ? ArrayPool<byte>.Shared.Rent(next) : GC.AllocateUninitializedArray<byte>(next);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    Return(buffer, pooled);
                    buffer = bigger;
                    pooled = grownPooled;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    Return(buffer, pooled);
                    return (null, 0, false);
                }
            }
        }
        catch
        {
            Return(buffer, pooled);
            throw;
        }

        return (buffer, length, pooled);
    }

    private static void Return(byte[] buffer, bool pooled)
    {
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
