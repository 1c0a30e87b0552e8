using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Errors;
using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Logging;
using CompatAI.Gateway.Routing;
using CompatAI.Gateway.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Endpoints;

/// <summary><c>POST /v1/chat/completions</c>: validate, route by model prefix, answer as JSON or SSE.</summary>
internal sealed class ChatCompletionsEndpoint
{
    private readonly GatewayRuntime _runtime;
    private readonly ILogger<ChatCompletionsEndpoint> _logger;

    public ChatCompletionsEndpoint(GatewayRuntime runtime, ILogger<ChatCompletionsEndpoint> logger)
    {
        _runtime = runtime;
        _logger = logger;
    }

    public Task HandleAsync(HttpContext http) => GatewayRequestIntake.GuardAsync(http, _logger, HandleCoreAsync);

    private async Task HandleCoreAsync(HttpContext http)
    {
        var start = Stopwatch.GetTimestamp();
        var requestId = http.TraceIdentifier;
        if (await GatewayRequestIntake.ReadAsync(http, _runtime, _logger).ConfigureAwait(false) is not { } intake)
        {
            return;
        }

        var (body, credential) = intake;

        ParsedChatRequest parsed;
        RouteMatch route;

        // The body's reservation in the budget lasts until the response is complete; its bytes only until parsed.
        using var reservation = body;
        try
        {
            try
            {
                parsed = ChatRequestParser.Parse(body.Bytes);
            }
            finally
            {
                body.ReleaseBytes();
            }

            route = _runtime.Router.Resolve(parsed.Model);
        }
        catch (RequestValidationException ex)
        {
            await RejectAsync(http, ex.Error).ConfigureAwait(false);
            return;
        }

        var headers = _runtime.HeaderFilter.Select(http.Request.Headers, passCredential: !_runtime.RequiresKey);
        var context = new GatewayRequestContext(route.ProviderName, route.ModelId, headers, credential, requestId);
        if (_runtime.Policies.BudgetStore is not null)
        {
            // Budget subjects: the client key's short id (never the key) and the tenant header's value.
            context.KeyId = GatewayKeyId.Of(http.Request.Headers);
            context.Tenant = _runtime.Options.TenantHeader is { Length: > 0 } tenantHeader && http.Request.Headers[tenantHeader].ToString() is { Length: > 0 } tenant ? tenant : null;
        }

        GatewayRequestContext.Current = context;
        parsed.Options.ModelId = route.ModelId;
        var request = new GatewayChatRequest(parsed.Messages, parsed.Options, context);
        Log.Served(_logger, requestId, route.ProviderName, GatewayText.Echo(route.ModelId), parsed.Stream);

        if (parsed.Stream)
        {
            await StreamAsync(http, route, request, parsed, start).ConfigureAwait(false);
        }
        else
        {
            await CompleteAsync(http, route, request, parsed, start).ConfigureAwait(false);
        }
    }

    private async Task CompleteAsync(HttpContext http, RouteMatch route, GatewayChatRequest request, ParsedChatRequest parsed, long start)
    {
        var cancellationToken = http.RequestAborted;
        var upstreamStart = Stopwatch.GetTimestamp();
        ChatResponse response;
        try
        {
            response = await route.Adapter.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await FailBeforeOutputAsync(http, route, request.Context, ex).ConfigureAwait(false);
            return;
        }

        var upstreamEnd = Stopwatch.GetTimestamp();
        var servedBy = request.Context.ServedBy ?? route.ProviderName;
        var model = ModelName(servedBy, response.ModelId, parsed.Model);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(ResponseMapper.ToCompletion(response, model), GatewayJson.Context.ChatCompletionDto);
        var httpResponse = http.Response;
        httpResponse.Headers[GatewayHttp.ProviderHeader] = servedBy;
        GatewayHttp.SetOutcomeHeaders(httpResponse, request.Context);
        GatewayHttp.SetOverhead(httpResponse, (upstreamStart - start) + (Stopwatch.GetTimestamp() - upstreamEnd));
        httpResponse.StatusCode = 200;
        httpResponse.ContentType = "application/json";
        httpResponse.ContentLength = bytes.Length;
        try
        {
            await httpResponse.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
        {
            Log.ClientGone(_logger, request.Context.RequestId, route.ProviderName);
        }
    }

    private async Task StreamAsync(HttpContext http, RouteMatch route, GatewayChatRequest request, ParsedChatRequest parsed, long start)
    {
        var cancellationToken = http.RequestAborted;
        var upstreamStart = Stopwatch.GetTimestamp();
        IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
        bool hasFirst;
        try
        {
            // Nothing is sent until the first update arrives, so a failure here is still a proper HTTP error.
            enumerator = route.Adapter.StreamAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
            hasFirst = await enumerator.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (enumerator is not null)
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            await FailBeforeOutputAsync(http, route, request.Context, ex).ConfigureAwait(false);
            return;
        }

        var firstAt = Stopwatch.GetTimestamp();
        var servedBy = request.Context.ServedBy ?? route.ProviderName;
        var model = ModelName(servedBy, hasFirst ? enumerator.Current.ModelId : null, parsed.Model);
        var writer = new StreamChunkWriter(model, parsed.IncludeUsage);
        var httpResponse = http.Response;
        httpResponse.Headers[GatewayHttp.ProviderHeader] = servedBy;
        GatewayHttp.SetOutcomeHeaders(httpResponse, request.Context);
        httpResponse.Headers["X-Accel-Buffering"] = "no";
        var events = EventsAsync(enumerator, hasFirst, writer, route, request.Context, start, upstreamStart, firstAt, httpResponse, cancellationToken);
        try
        {
            // A stream that broke after output ends with the error event and a normal close of the body: aborting the
            // connection instead would make TCP discard the error event (and unread chunks) on the client's side.
            await TypedResults.ServerSentEvents(events).ExecuteAsync(http).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
        {
            Log.ClientGone(_logger, request.Context.RequestId, route.ProviderName);
        }
    }

    private async IAsyncEnumerable<SseItem<string>> EventsAsync(
        IAsyncEnumerator<ChatResponseUpdate> enumerator,
        bool hasFirst,
        StreamChunkWriter writer,
        RouteMatch route,
        GatewayRequestContext context,
        long start,
        long upstreamStart,
        long firstAt,
        HttpResponse response,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            var hasMore = hasFirst;
            var first = true;
            while (hasMore)
            {
                var chunk = writer.Write(enumerator.Current);
                if (first)
                {
                    // Headers go out with the first event: the overhead is everything but the wait for the provider.
                    GatewayHttp.SetOverhead(response, (upstreamStart - start) + (Stopwatch.GetTimestamp() - firstAt));
                    first = false;
                }

                if (chunk is not null)
                {
                    yield return new SseItem<string>(chunk);
                }

                GatewayError? failure = null;
                try
                {
                    hasMore = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    Log.ClientGone(_logger, context.RequestId, route.ProviderName);
                    yield break;
                }
                catch (Exception ex)
                {
                    failure = MapFailure(route, context, ex);
                    Log.StreamBroken(_logger, context.RequestId, context.ServedBy ?? route.ProviderName, failure.Code ?? failure.Type);
                }

                if (failure is not null)
                {
                    // A failure after output has started ends the stream with an error event and no [DONE].
                    yield return new SseItem<string>(JsonSerializer.Serialize(GatewayHttp.ToBody(failure), GatewayJson.Context.ErrorBodyDto), "error");
                    yield break;
                }
            }

            if (first)
            {
                GatewayHttp.SetOverhead(response, (upstreamStart - start) + (Stopwatch.GetTimestamp() - firstAt));
            }

            foreach (var chunk in writer.Complete())
            {
                yield return new SseItem<string>(chunk);
            }

            yield return new SseItem<string>("[DONE]");
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task FailBeforeOutputAsync(HttpContext http, RouteMatch route, GatewayRequestContext context, Exception ex)
    {
        if (ex is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            Log.ClientGone(_logger, context.RequestId, route.ProviderName);
            return;
        }

        await GatewayHttp.WriteErrorAsync(http, MapFailure(route, context, ex)).ConfigureAwait(false);
    }

    private GatewayError MapFailure(RouteMatch route, GatewayRequestContext context, Exception ex)
    {
        switch (ex)
        {
            case ProviderException provider:
                Log.ProviderFailed(_logger, context.RequestId, provider.ProviderName, provider.Kind, provider.StatusCode);
                var mapped = ProviderErrorMapper.Map(provider);
                return mapped with { Provider = context.ServedBy ?? route.ProviderName };
            case RequestValidationException validation:
                return validation.Error;
            case BudgetExceededException budget:
                Log.BudgetExceeded(_logger, context.RequestId, budget.BudgetName, budget.Scope.ToString());
                return GatewayHttp.BudgetExceeded(budget);
            default:
                Log.AdapterCrashed(_logger, context.RequestId, route.ProviderName, ex.GetType().FullName ?? ex.GetType().Name, Redact(ex.Message, context.Credential));
                return ProviderErrorMapper.Unexpected() with { Provider = route.ProviderName };
        }
    }

    private Task RejectAsync(HttpContext http, GatewayError error) => GatewayRequestIntake.RejectAsync(http, _logger, error);

    private static string ModelName(string servedBy, string? upstreamModel, string requested) =>
        string.IsNullOrEmpty(upstreamModel) ? requested
        : upstreamModel.StartsWith(servedBy + "/", StringComparison.Ordinal) ? upstreamModel
        : servedBy + "/" + upstreamModel;

    private static string Redact(string message, string? credential) => GatewayRequestIntake.Redact(message, credential);
}
