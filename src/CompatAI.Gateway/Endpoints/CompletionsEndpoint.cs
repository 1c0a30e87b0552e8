using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Errors;
using CompatAI.Gateway.Logging;
using CompatAI.Gateway.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Endpoints;

/// <summary>
/// <c>POST /v1/completions</c> (the legacy text completions) in OpenAI's shape, as JSON or SSE, served by the
/// provider's <see cref="CompletionClient"/>: <c>prompt</c> (one string), <c>suffix</c>, <c>max_tokens</c>,
/// <c>temperature</c>, <c>top_p</c>, <c>stop</c>, <c>echo</c>, <c>logprobs</c>, <c>seed</c>, the penalties, <c>user</c>,
/// <c>stream</c> and <c>stream_options.include_usage</c>.
/// </summary>
internal sealed class CompletionsEndpoint
{
    /// <summary>Fields passed to the provider as they are.</summary>
    private static readonly string[] s_passThrough = ["seed", "presence_penalty", "frequency_penalty", "user", "logit_bias"];

    private readonly ProviderApiRequests _requests;

    public CompletionsEndpoint(ProviderApiRequests requests) => _requests = requests;

    public Task HandleAsync(HttpContext http) => _requests.GuardAsync(http, HandleCoreAsync);

    private async Task HandleCoreAsync(HttpContext http)
    {
        using var call = await _requests.BeginAsync(http, ProviderApiKind.Completions).ConfigureAwait(false);
        if (call is null)
        {
            return;
        }

        CompletionRequest request;
        bool stream;
        bool includeUsage;
        try
        {
            (request, stream, includeUsage) = Parse(call.Root);
        }
        catch (RequestValidationException ex)
        {
            await _requests.RejectAsync(http, ex.Error).ConfigureAwait(false);
            return;
        }

        request.Model = call.ModelId;
        Log.Served(_requests.Logger, call.RequestId, call.ProviderName, call.ModelId is null ? null : GatewayText.Echo(call.ModelId), stream);
        if (stream)
        {
            await StreamAsync(http, call, request, includeUsage).ConfigureAwait(false);
            return;
        }

        var upstreamStart = Stopwatch.GetTimestamp();
        CompletionResponse response;
        CompletionClient client;
        try
        {
            client = call.Clients.Completions(call.ModelId, call.Credential);
            response = await client.CompleteAsync(request, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await _requests.FailAsync(http, call, ex).ConfigureAwait(false);
            return;
        }

        var upstreamEnd = Stopwatch.GetTimestamp();
        _requests.Served(call, response.ModelId ?? client.Model, response.Usage, upstreamStart);
        var model = call.AnsweredModel(response.ModelId ?? call.ModelId ?? client.Model);
        var bytes = Chunk(response.ResponseId ?? Id(call), model, response.Text, response.FinishReason, response.Logprobs, response.Usage, withChoice: true);
        await _requests.WriteJsonAsync(http, call, bytes, upstreamStart, upstreamEnd).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext http, ProviderApiCall call, CompletionRequest request, bool includeUsage)
    {
        var cancellationToken = http.RequestAborted;
        var upstreamStart = Stopwatch.GetTimestamp();
        IAsyncEnumerator<CompletionUpdate>? enumerator = null;
        bool hasFirst;
        CompletionClient client;
        try
        {
            // Nothing is sent until the first piece arrives, so a failure here is still a proper HTTP error.
            client = call.Clients.Completions(call.ModelId, call.Credential);
            enumerator = client.CompleteStreamingAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
            hasFirst = await enumerator.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (enumerator is not null)
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            await _requests.FailAsync(http, call, ex).ConfigureAwait(false);
            return;
        }

        var firstAt = Stopwatch.GetTimestamp();
        var response = http.Response;
        response.Headers[GatewayHttp.ProviderHeader] = call.ProviderName;
        response.Headers["X-Accel-Buffering"] = "no";
        GatewayHttp.SetOverhead(response, upstreamStart - call.Start);
        var model = call.AnsweredModel((hasFirst ? enumerator.Current.ModelId : null) ?? call.ModelId ?? client.Model);
        var events = EventsAsync(enumerator, hasFirst, call, model, includeUsage, (upstreamStart, firstAt, client.Model), cancellationToken);
        try
        {
            await TypedResults.ServerSentEvents(events).ExecuteAsync(http).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
        {
            Log.ClientGone(_requests.Logger, call.RequestId, call.ProviderName);
        }
    }

    private async IAsyncEnumerable<SseItem<string>> EventsAsync(
        IAsyncEnumerator<CompletionUpdate> enumerator,
        bool hasFirst,
        ProviderApiCall call,
        string model,
        bool includeUsage,
        (long UpstreamStart, long FirstAt, string? DefaultModel) timing,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            var id = hasFirst ? enumerator.Current.ResponseId ?? Id(call) : Id(call);
            UsageDetails? usage = null;
            string? upstreamModel = null;
            var hasMore = hasFirst;
            while (hasMore)
            {
                var update = enumerator.Current;
                usage = update.Usage ?? usage;
                upstreamModel ??= update.ModelId;
                if (update.Text.Length > 0 || update.FinishReason is not null)
                {
                    yield return new SseItem<string>(Encoding.UTF8.GetString(Chunk(id, model, update.Text, update.FinishReason, null, null, withChoice: true)));
                }

                GatewayError? failure = null;
                try
                {
                    hasMore = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    Log.ClientGone(_requests.Logger, call.RequestId, call.ProviderName);
                    yield break;
                }
                catch (Exception ex)
                {
                    _requests.Failed(call, ex);
                    failure = _requests.MapFailure(call, ex);
                    Log.StreamBroken(_requests.Logger, call.RequestId, call.ProviderName, failure.Code ?? failure.Type);
                }

                if (failure is not null)
                {
                    // A failure after output has started ends the stream with an error event and no [DONE], as for chat.
                    yield return new SseItem<string>(JsonSerializer.Serialize(GatewayHttp.ToBody(failure), GatewayJson.Context.ErrorBodyDto), "error");
                    yield break;
                }
            }

            _requests.Served(call, upstreamModel ?? timing.DefaultModel, usage, timing.UpstreamStart, timing.FirstAt);
            if (includeUsage && usage is not null)
            {
                yield return new SseItem<string>(Encoding.UTF8.GetString(Chunk(id, model, string.Empty, null, null, usage, withChoice: false)));
            }

            yield return new SseItem<string>("[DONE]");
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static (CompletionRequest Request, bool Stream, bool IncludeUsage) Parse(JsonElement root)
    {
        if (!root.TryGetProperty("prompt", out var prompt))
        {
            throw Invalid("prompt", "'prompt' is required: a string.");
        }

        var text = prompt.ValueKind switch
        {
            JsonValueKind.String => prompt.GetString()!,
            JsonValueKind.Array when prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String => prompt[0].GetString()!,
            JsonValueKind.Array => throw Invalid("prompt", "'prompt' must be one string (or an array holding one string); batches of prompts and token arrays are not supported by this gateway."),
            _ => throw Invalid("prompt", "'prompt' must be a string."),
        };
        var request = new CompletionRequest(text)
        {
            Suffix = OptionalString(root, "suffix"),
            MaxTokens = OptionalInt(root, "max_tokens", 1),
            Temperature = OptionalFloat(root, "temperature"),
            TopP = OptionalFloat(root, "top_p"),
            Echo = OptionalBool(root, "echo"),
            Logprobs = OptionalInt(root, "logprobs", 0),
        };
        if (OptionalInt(root, "n", 1) is > 1 || OptionalInt(root, "best_of", 1) is > 1)
        {
            throw Invalid("n", "'n' and 'best_of' above 1 are not supported by this gateway; send one request per completion.");
        }

        if (root.TryGetProperty("stop", out var stop) && stop.ValueKind != JsonValueKind.Null)
        {
            if (stop.ValueKind == JsonValueKind.String)
            {
                request.StopSequences.Add(stop.GetString()!);
            }
            else if (stop.ValueKind == JsonValueKind.Array && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String))
            {
                foreach (var item in stop.EnumerateArray())
                {
                    request.StopSequences.Add(item.GetString()!);
                }
            }
            else
            {
                throw Invalid("stop", "'stop' must be a string or an array of strings.");
            }
        }

        foreach (var name in s_passThrough)
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                request.AdditionalProperties[name] = value.Clone();
            }
        }

        var stream = OptionalBool(root, "stream") ?? false;
        var includeUsage = root.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind == JsonValueKind.Object &&
            streamOptions.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;
        return (request, stream, includeUsage);
    }

    private static string? OptionalString(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw Invalid(name, $"'{name}' must be a string.");

    private static int? OptionalInt(JsonElement root, string name, int minimum) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= minimum ? number
        : throw Invalid(name, $"'{name}' must be an integer of at least {minimum}.");

    private static float? OptionalFloat(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) ? (float)number
        : throw Invalid(name, $"'{name}' must be a number.");

    private static bool? OptionalBool(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw Invalid(name, $"'{name}' must be true or false.");

    private static RequestValidationException Invalid(string param, string message) => new(GatewayError.Invalid(param, message));

    private static string Id(ProviderApiCall call) => "cmpl-" + call.RequestId.Replace(':', '-');

    /// <summary>A <c>text_completion</c> object: the whole answer, a streamed piece, or (without a choice) the usage chunk.</summary>
    private static byte[] Chunk(string id, string model, string text, string? finishReason, JsonElement? logprobs, UsageDetails? usage, bool withChoice)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("object", "text_completion");
            writer.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            writer.WriteString("model", model);
            writer.WriteStartArray("choices");
            if (withChoice)
            {
                writer.WriteStartObject();
                writer.WriteString("text", text);
                writer.WriteNumber("index", 0);
                writer.WritePropertyName("logprobs");
                if (logprobs is { } value)
                {
                    value.WriteTo(writer);
                }
                else
                {
                    writer.WriteNullValue();
                }

                if (finishReason is null)
                {
                    writer.WriteNull("finish_reason");
                }
                else
                {
                    writer.WriteString("finish_reason", finishReason);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (usage is not null)
            {
                var input = usage.InputTokenCount ?? 0;
                var output = usage.OutputTokenCount ?? 0;
                writer.WriteStartObject("usage");
                writer.WriteNumber("prompt_tokens", input);
                writer.WriteNumber("completion_tokens", output);
                writer.WriteNumber("total_tokens", usage.TotalTokenCount ?? input + output);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
