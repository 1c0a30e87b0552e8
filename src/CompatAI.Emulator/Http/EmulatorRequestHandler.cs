using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CompatAI.Emulator;

/// <summary>
/// Terminal request handler: records the request, routes <c>/{personality}/v1/…</c>, applies faults, checks the API key,
/// enforces the personality's request rules and writes the answer as JSON or SSE.
/// </summary>
internal sealed class EmulatorRequestHandler(
    PersonalityCatalog catalog,
    FaultQueue faults,
    RequestLog requestLog,
    ProviderEmulatorOptions options,
    ILogger logger,
    CancellationToken stopping)
{
    private const string JsonContentType = "application/json";
    private const string EventStreamContentType = "text/event-stream; charset=utf-8";

    public async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var aborted = http.RequestAborted;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(aborted).ConfigureAwait(false);
        }

        var path = request.Path.Value ?? "/";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var personality = segments.Length > 0 ? catalog.Find(segments[0]) : null;
        Record(http, personality?.Name ?? (segments.Length > 1 ? segments[0] : string.Empty), body);

        if (segments is ["healthz"])
        {
            await WriteJsonAsync(http, 200, new JsonObject { ["status"] = "ok" }).ConfigureAwait(false);
            return;
        }

        if (personality is null)
        {
            var unknown = segments.Length > 0 ? segments[0] : string.Empty;
            await WriteJsonAsync(http, 404, OpenAIErrors.UnknownPersonality(unknown, catalog.Names)).ConfigureAwait(false);
            return;
        }

        EmulatorFault? fault;
        if (request.Headers.TryGetValue(FaultHeaderParser.HeaderName, out var faultHeader))
        {
            if (!FaultHeaderParser.TryParse(faultHeader.ToString(), out fault, out var problem))
            {
                await WriteJsonAsync(http, 400, personality.ErrorBody(400, $"Invalid {FaultHeaderParser.HeaderName} header: {problem}", "invalid_request_error")).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            fault = faults.TryTake(personality.Name);
        }

        foreach (var (name, value) in personality.ResponseHeaders())
        {
            http.Response.Headers[name] = value;
        }

        if (fault is not null)
        {
            EmulatorLog.InjectingFault(logger, fault, request.Method, path);
            if (!await ApplyPreResponseFaultAsync(http, personality, fault).ConfigureAwait(false))
            {
                return;
            }
        }

        if (!IsAuthorized(request))
        {
            await WriteJsonAsync(http, 401, personality.UnauthorizedBody()).ConfigureAwait(false);
            return;
        }

        var route = string.Join('/', segments.Skip(1).SkipWhile((s, i) => i == 0 && s == "v1"));
        if (options.RequireVersionPrefix && (segments.Length < 2 || segments[1] != "v1"))
        {
            await WriteJsonAsync(http, 404, personality.ErrorBody(404, $"Invalid URL ({request.Method} /{string.Join('/', segments.Skip(1))})", "invalid_request_error")).ConfigureAwait(false);
            return;
        }

        switch (route)
        {
            case "models" when HttpMethods.IsGet(request.Method):
                await WriteJsonAsync(http, 200, personality.ModelList(1_700_000_000)).ConfigureAwait(false);
                break;
            case "responses" when HttpMethods.IsPost(request.Method) && options.ResponsesOnly.Contains(personality.Name):
                await ResponsesEndpoint.HandleAsync(http, personality, body, options.StreamChunkDelay).ConfigureAwait(false);
                break;
            case "chat/completions" when HttpMethods.IsPost(request.Method) && !options.ResponsesOnly.Contains(personality.Name):
                await HandleChatAsync(http, personality, body, fault).ConfigureAwait(false);
                break;
            case var beta when HttpMethods.IsPost(request.Method) && PrefixCompletionRule.ServesBeta(personality, beta):
                await HandleChatAsync(http, personality, body, fault, betaPath: true).ConfigureAwait(false);
                break;
            case var completions when HttpMethods.IsPost(request.Method) && CompletionsEndpoint.Serves(personality, completions):
                await HandleCompletionsAsync(http, personality, body).ConfigureAwait(false);
                break;
            case "moderations" when HttpMethods.IsPost(request.Method) && ModerationsEndpoint.Serves(personality):
                var (moderationStatus, moderationBody) = ModerationsEndpoint.Answer(personality, body);
                await WriteJsonAsync(http, moderationStatus, moderationBody).ConfigureAwait(false);
                break;
            case "embeddings" when HttpMethods.IsPost(request.Method):
                var (embeddingsStatus, embeddingsBody) = EmbeddingsEndpoint.Answer(personality, body);
                await WriteJsonAsync(http, embeddingsStatus, embeddingsBody).ConfigureAwait(false);
                break;
            default:
                await WriteJsonAsync(http, 404, personality.ErrorBody(404, $"Invalid URL ({request.Method} /v1/{route})", "invalid_request_error")).ConfigureAwait(false);
                break;
        }

        EmulatorLog.Handled(logger, request.Method, path, http.Response.StatusCode);
    }

    private void Record(HttpContext http, string personality, string body)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in http.Request.Headers)
        {
            headers[header.Key] = string.Join(", ", header.Value.ToArray());
        }

        var pathAndQuery = (http.Request.Path.Value ?? "/") + http.Request.QueryString.Value;
        requestLog.Add(new RecordedRequest(personality, http.Request.Method, pathAndQuery, headers, body));
    }

    /// <summary>Applies a fault that acts before the answer; returns false when the request is finished.</summary>
    private async Task<bool> ApplyPreResponseFaultAsync(HttpContext http, Personality personality, EmulatorFault fault)
    {
        switch (fault.Kind)
        {
            case EmulatorFaultKind.ConnectionReset:
                http.Abort();
                return false;
            case EmulatorFaultKind.Hang:
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping))
                {
                    try
                    {
                        await Task.Delay(fault.Delay > TimeSpan.Zero ? fault.Delay : Timeout.InfiniteTimeSpan, linked.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // The client gave up or the emulator is stopping.
                    }
                }

                http.Abort();
                return false;
            case EmulatorFaultKind.SlowFirstByte:
                try
                {
                    await Task.Delay(fault.Delay, http.RequestAborted).ConfigureAwait(false);
                    return true;
                }
                catch (OperationCanceledException)
                {
                    return false;
                }

            case EmulatorFaultKind.Status:
                var status = fault.StatusCode ?? 500;
                if (fault.RetryAfter is { } retryAfter)
                {
                    http.Response.Headers["Retry-After"] = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                    http.Response.Headers["retry-after-ms"] = ((long)retryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
                }

                await WriteJsonAsync(http, status, personality.StatusErrorBody(status)).ConfigureAwait(false);
                return false;
            default:
                return true; // stream faults act while answering
        }
    }

    private bool IsAuthorized(HttpRequest request)
    {
        var key = options.RequiredApiKey;
        if (string.IsNullOrEmpty(key))
        {
            return true;
        }

        var authorization = request.Headers.Authorization.ToString();
        var bearer = string.Equals(authorization, "Bearer " + key, StringComparison.Ordinal);
        var xApiKey = string.Equals(request.Headers["x-api-key"].ToString(), key, StringComparison.Ordinal);
        var apiKey = string.Equals(request.Headers["api-key"].ToString(), key, StringComparison.Ordinal);
        return options.RequiredApiKeyHeader?.ToLowerInvariant() switch
        {
            null or "" => bearer || xApiKey || apiKey,
            "authorization" => bearer,
            "x-api-key" => xApiKey,
            _ => apiKey, // "api-key"; other values are refused by ProviderEmulator.StartAsync
        };
    }

    private async Task HandleChatAsync(HttpContext http, Personality personality, string body, EmulatorFault? fault, bool betaPath = false)
    {
        var chat = ChatRequest.TryParse(body);
        if (chat is null)
        {
            await WriteJsonAsync(http, 400, personality.MalformedJsonBody()).ConfigureAwait(false);
            return;
        }

        if (chat.Body["messages"] is not JsonArray)
        {
            await WriteJsonAsync(http, 400, personality.ErrorBody(400, "'messages' is a required property and must be an array.", "invalid_request_error", null, "messages")).ConfigureAwait(false);
            return;
        }

        if (personality.Validate(chat) is { } violation)
        {
            await WriteJsonAsync(http, violation.StatusCode, violation.Body).ConfigureAwait(false);
            return;
        }

        if (PrefixCompletionRule.Check(personality, chat, betaPath) is { } prefixViolation)
        {
            await WriteJsonAsync(http, prefixViolation.StatusCode, prefixViolation.Body).ConfigureAwait(false);
            return;
        }

        var plan = PrefixCompletionRule.Continue(chat, AnswerPlanner.Plan(chat, personality.SupportsTools));
        var context = personality.CreateContext(chat, plan, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var midStream = fault?.Kind is EmulatorFaultKind.StreamCutWithoutDone or EmulatorFaultKind.ErrorMidStream ? fault : null;

        if (chat.Stream && options.StreamingRejectedBy.Contains(personality.Name))
        {
            await WriteJsonAsync(http, 400, personality.ErrorBody(400, "Streaming is not supported by this server: set stream to false.", "invalid_request_error", null, "stream")).ConfigureAwait(false);
            return;
        }

        if (chat.Stream && !options.StreamingIgnoredBy.Contains(personality.Name))
        {
            await WriteStreamAsync(http, personality, context, midStream).ConfigureAwait(false);
            return;
        }

        var completion = personality.Completion(context);
        if (midStream?.Kind == EmulatorFaultKind.ErrorMidStream)
        {
            await WriteJsonAsync(http, 500, personality.StatusErrorBody(500)).ConfigureAwait(false);
        }
        else if (midStream?.Kind == EmulatorFaultKind.StreamCutWithoutDone)
        {
            await WriteTruncatedJsonAsync(http, completion).ConfigureAwait(false);
        }
        else
        {
            await WriteJsonAsync(http, 200, completion).ConfigureAwait(false);
        }
    }

    private static async Task HandleCompletionsAsync(HttpContext http, Personality personality, string body)
    {
        var (plan, status, error) = CompletionsEndpoint.Prepare(personality, body);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (plan is null)
        {
            await WriteJsonAsync(http, status, error!).ConfigureAwait(false);
            return;
        }

        if (!plan.Stream)
        {
            await WriteJsonAsync(http, 200, CompletionsEndpoint.Completion(plan, created)).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = 200;
        http.Response.ContentType = EventStreamContentType;
        try
        {
            foreach (var chunk in CompletionsEndpoint.Chunks(plan, created))
            {
                await http.Response.WriteAsync(SseFrame.Data(chunk).ToWire(), http.RequestAborted).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            }

            await http.Response.WriteAsync(SseFrame.Done.ToWire(), http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away mid-stream.
        }
    }

    private async Task WriteStreamAsync(HttpContext http, Personality personality, CompletionContext context, EmulatorFault? fault)
    {
        var response = http.Response;
        var aborted = http.RequestAborted;
        response.StatusCode = 200;
        response.ContentType = EventStreamContentType;
        response.Headers.CacheControl = "no-cache";
        try
        {
            await response.StartAsync(aborted).ConfigureAwait(false);
            var dataEvents = 0;
            var first = true;
            foreach (var frame in personality.Stream(context))
            {
                if (fault is not null && (frame.Kind == SseFrameKind.Done || (frame.Kind == SseFrameKind.Data && dataEvents >= fault.AfterChunks)))
                {
                    if (fault.Kind == EmulatorFaultKind.ErrorMidStream)
                    {
                        foreach (var errorFrame in personality.MidStreamError(context))
                        {
                            await response.WriteAsync(errorFrame.ToWire(), aborted).ConfigureAwait(false);
                        }
                    }

                    break;
                }

                if (!first && options.StreamChunkDelay > TimeSpan.Zero)
                {
                    await Task.Delay(options.StreamChunkDelay, aborted).ConfigureAwait(false);
                }

                first = false;
                await response.WriteAsync(frame.ToWire(), aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                if (frame.Kind == SseFrameKind.Data)
                {
                    dataEvents++;
                }
            }

            await response.Body.FlushAsync(aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away mid-stream; nothing left to do.
        }
    }

    private static async Task WriteTruncatedJsonAsync(HttpContext http, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(EmulatorJson.Serialize(body));
        http.Response.StatusCode = 200;
        http.Response.ContentType = JsonContentType;
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), http.RequestAborted).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        http.Abort();
    }

    private static async Task WriteJsonAsync(HttpContext http, int statusCode, JsonNode body)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = JsonContentType;
        try
        {
            await http.Response.WriteAsync(EmulatorJson.Serialize(body), http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Client disconnected.
        }
    }
}
