using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// One emulated provider: its model list, request rules, error bodies and wire shapes. The base class renders the
/// canonical OpenAI shapes; each personality overrides the hooks where its provider differs.
/// </summary>
internal abstract class Personality
{
    /// <summary>Path segment of the personality (for example <c>groq</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Model ids listed by <c>GET /{personality}/v1/models</c>; the first one is the default.</summary>
    public abstract IReadOnlyList<string> Models { get; }

    /// <summary>Whether this provider answers with tool calls at all.</summary>
    public virtual bool SupportsTools => true;

    protected virtual string OwnedBy => Name;

    // ---------------------------------------------------------------- errors

    /// <summary>The provider's error envelope around a message.</summary>
    public abstract JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null);

    /// <summary>The provider's canned error body for a status code (used by status faults).</summary>
    public virtual JsonObject StatusErrorBody(int statusCode) =>
        ErrorBody(statusCode, DefaultMessage(statusCode), DefaultType(statusCode));

    /// <summary>Body answered when <see cref="ProviderEmulatorOptions.RequiredApiKey"/> is set and not presented.</summary>
    public virtual JsonObject UnauthorizedBody() => StatusErrorBody(401);

    /// <summary>Body answered for a request body that is not a JSON object.</summary>
    public virtual JsonObject MalformedJsonBody() =>
        ErrorBody(400, "The request body is not valid JSON.", "invalid_request_error");

    /// <summary>Frames sent when an <see cref="EmulatorFaultKind.ErrorMidStream"/> fault strikes.</summary>
    public virtual IEnumerable<SseFrame> MidStreamError(CompletionContext context)
    {
        yield return SseFrame.Data(new JsonObject { ["error"] = StatusErrorBody(500)["error"]?.DeepClone() });
    }

    /// <summary>Checks the request against the provider's rules; null when it is accepted.</summary>
    public virtual RuleViolation? Validate(ChatRequest request) => null;

    protected static string DefaultMessage(int statusCode) => statusCode switch
    {
        400 => "Bad request.",
        401 => "Invalid API key.",
        402 => "Insufficient balance.",
        403 => "Forbidden.",
        404 => "Not found.",
        408 => "Request timed out.",
        409 => "Conflict.",
        413 => "Request too large.",
        422 => "Invalid parameters.",
        429 => "Rate limit exceeded. Please try again later.",
        500 => "Internal server error.",
        502 => "Bad gateway.",
        503 => "Service unavailable. The server is overloaded, please try again later.",
        504 => "Gateway timeout.",
        _ => $"Emulated error {statusCode}.",
    };

    protected static string DefaultType(int statusCode) => statusCode switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    /// <summary>Provider-specific response headers (request ids, rate-limit counters) added to every answer.</summary>
    public virtual IEnumerable<KeyValuePair<string, string>> ResponseHeaders() => [];

    // ---------------------------------------------------------------- models

    public JsonObject ModelList(long created)
    {
        var data = new JsonArray();
        foreach (var model in Models)
        {
            data.Add(new JsonObject { ["id"] = model, ["object"] = "model", ["created"] = created, ["owned_by"] = OwnedBy });
        }

        return new JsonObject { ["object"] = "list", ["data"] = data };
    }

    // ---------------------------------------------------------------- answer shaping

    /// <summary>Whether this request/model produces reasoning output.</summary>
    protected virtual bool Reasons(ChatRequest request) => false;

    protected virtual string NewCompletionId(IdSource ids) => "chatcmpl-" + ids.Alphanumeric(29);

    protected virtual string NewToolCallId(IdSource ids, int index) => "call_" + ids.Alphanumeric(24);

    protected virtual string FinishReasonFor(ChatRequest request, AnswerPlan plan) => plan.IsToolCall ? "tool_calls" : "stop";

    /// <summary>Deterministic reasoning text: <c>Reasoning about: &lt;last user text&gt;</c>.</summary>
    public static string ReasoningFor(ChatRequest request) => "Reasoning about: " + request.LastUserText();

    public CompletionContext CreateContext(ChatRequest request, AnswerPlan plan, long created)
    {
        var ids = new IdSource(Name + "\n" + request.RawBody);
        var id = NewCompletionId(ids);
        var calls = plan.ToolCalls.Select((c, i) => (NewToolCallId(ids, i), c)).ToList();
        return new CompletionContext
        {
            Request = request,
            Ids = ids,
            Id = id,
            Created = created,
            Model = request.Model ?? Models[0],
            Text = plan.Text,
            Reasoning = Reasons(request) ? ReasoningFor(request) : null,
            ToolCalls = calls,
            FinishReason = FinishReasonFor(request, plan),
            PromptTokens = plan.PromptTokens,
        };
    }

    // ---------------------------------------------------------------- non-streaming

    public virtual JsonObject Completion(CompletionContext context)
    {
        var message = new JsonObject { ["role"] = "assistant" };
        WriteMessage(context, message);
        var choice = new JsonObject
        {
            ["index"] = 0,
            ["message"] = message,
            ["logprobs"] = null,
            ["finish_reason"] = context.FinishReason,
        };
        var body = new JsonObject
        {
            ["id"] = context.Id,
            ["object"] = "chat.completion",
            ["created"] = context.Created,
            ["model"] = context.Model,
            ["choices"] = new JsonArray(choice),
            ["usage"] = Usage(context),
        };
        DecorateCompletion(context, body);
        return body;
    }

    protected virtual void WriteMessage(CompletionContext context, JsonObject message)
    {
        message["content"] = context.HasToolCalls ? null : ComposeContent(context);
        if (context.Reasoning is not null && !ReasoningInContent(context.Request))
        {
            WriteReasoning(message, context.Reasoning, isDelta: false);
        }

        if (context.HasToolCalls)
        {
            var calls = new JsonArray();
            for (var i = 0; i < context.ToolCalls.Count; i++)
            {
                calls.Add(ToolCallObject(i, context.ToolCalls[i].Id, context.ToolCalls[i].Call));
            }

            message["tool_calls"] = calls;
        }
    }

    /// <summary>True when this request's reasoning goes inside <c>content</c> as <c>&lt;think&gt;</c> tags.</summary>
    protected virtual bool ReasoningInContent(ChatRequest request) => false;

    /// <summary>Final content text; with <see cref="ReasoningInContent"/>, wrapped as <c>&lt;think&gt;\n…\n&lt;/think&gt;\n\n…</c>.</summary>
    protected string? ComposeContent(CompletionContext context) =>
        ReasoningInContent(context.Request) && context.Reasoning is not null
            ? $"<think>\n{context.Reasoning}\n</think>\n\n{context.Text}"
            : context.Text;

    protected virtual void WriteReasoning(JsonObject target, string reasoning, bool isDelta) => target["reasoning_content"] = reasoning;

    protected virtual JsonObject ToolCallObject(int index, string id, PlannedToolCall call) => new()
    {
        ["id"] = id,
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
    };

    protected virtual JsonObject Usage(CompletionContext context) => new()
    {
        ["prompt_tokens"] = context.PromptTokens,
        ["completion_tokens"] = context.CompletionTokens,
        ["total_tokens"] = context.TotalTokens,
    };

    protected virtual void DecorateCompletion(CompletionContext context, JsonObject body)
    {
    }

    // ---------------------------------------------------------------- streaming

    public virtual IEnumerable<SseFrame> Stream(CompletionContext context)
    {
        foreach (var frame in Preamble(context))
        {
            yield return frame;
        }

        yield return SseFrame.Data(Chunk(context, FirstDelta(context), null, ChunkRole.First));
        if (context.Reasoning is not null && !ReasoningInContent(context.Request))
        {
            foreach (var piece in TextPieces.Split(context.Reasoning))
            {
                yield return SseFrame.Data(Chunk(context, ReasoningDelta(context, piece), null, ChunkRole.Middle));
            }
        }

        foreach (var piece in ContentPieces(context))
        {
            yield return SseFrame.Data(Chunk(context, ContentDelta(context, piece), null, ChunkRole.Middle));
        }

        foreach (var delta in ToolCallDeltas(context))
        {
            yield return SseFrame.Data(Chunk(context, delta, null, ChunkRole.Middle));
        }

        foreach (var frame in Finish(context))
        {
            yield return frame;
        }

        yield return SseFrame.Done;
    }

    protected virtual IEnumerable<SseFrame> Preamble(CompletionContext context) => [];

    protected virtual JsonObject FirstDelta(CompletionContext context) =>
        new() { ["role"] = "assistant", ["content"] = context.HasToolCalls ? null : string.Empty };

    protected virtual JsonObject ReasoningDelta(CompletionContext context, string piece)
    {
        var delta = new JsonObject();
        WriteReasoning(delta, piece, isDelta: true);
        return delta;
    }

    /// <summary>Content pieces; with think-in-content the tags are split across chunk boundaries like R1 distills do.</summary>
    protected virtual IReadOnlyList<string> ContentPieces(CompletionContext context)
    {
        if (!ReasoningInContent(context.Request) || context.Reasoning is null)
        {
            return TextPieces.Split(context.Text);
        }

        var pieces = new List<string> { "<th", "ink>\n" };
        pieces.AddRange(TextPieces.Split(context.Reasoning));
        pieces.AddRange(["\n</", "think", ">\n\n"]);
        pieces.AddRange(TextPieces.Split(context.Text));
        return pieces;
    }

    protected virtual JsonObject ContentDelta(CompletionContext context, string piece) => new() { ["content"] = piece };

    /// <summary>Canonical OpenAI tool-call deltas: header (index, id, type, name, empty arguments), then the arguments.</summary>
    protected virtual IEnumerable<JsonObject> ToolCallDeltas(CompletionContext context)
    {
        for (var i = 0; i < context.ToolCalls.Count; i++)
        {
            var (id, call) = context.ToolCalls[i];
            yield return new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = i,
                    ["id"] = id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = string.Empty },
                }),
            };
            yield return new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = i,
                    ["function"] = new JsonObject { ["arguments"] = call.Arguments },
                }),
            };
        }
    }

    protected virtual IEnumerable<SseFrame> Finish(CompletionContext context)
    {
        var chunk = Chunk(context, FinishDelta(context), context.FinishReason, ChunkRole.Finish);
        if (UsageOnFinishChunk(context))
        {
            chunk["usage"] = Usage(context);
        }

        yield return SseFrame.Data(chunk);
        if (context.Request.IncludeUsage && !UsageOnFinishChunk(context))
        {
            yield return SseFrame.Data(UsageChunk(context));
        }
    }

    protected virtual bool UsageOnFinishChunk(CompletionContext context) => false;

    protected virtual JsonObject FinishDelta(CompletionContext context) => [];

    protected virtual JsonObject UsageChunk(CompletionContext context)
    {
        var chunk = Envelope(context);
        chunk["choices"] = new JsonArray();
        chunk["usage"] = Usage(context);
        DecorateChunk(context, chunk, ChunkRole.Usage);
        return chunk;
    }

    protected JsonObject Chunk(CompletionContext context, JsonObject delta, string? finishReason, ChunkRole role)
    {
        var chunk = Envelope(context);
        chunk["choices"] = new JsonArray(Choice(context, delta, finishReason));
        DecorateChunk(context, chunk, role);
        return chunk;
    }

    protected virtual JsonObject Envelope(CompletionContext context) => new()
    {
        ["id"] = context.Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = context.Created,
        ["model"] = context.Model,
    };

    protected virtual JsonObject Choice(CompletionContext context, JsonObject delta, string? finishReason) => new()
    {
        ["index"] = 0,
        ["delta"] = delta,
        ["logprobs"] = null,
        ["finish_reason"] = finishReason,
    };

    protected virtual void DecorateChunk(CompletionContext context, JsonObject chunk, ChunkRole role)
    {
    }
}
