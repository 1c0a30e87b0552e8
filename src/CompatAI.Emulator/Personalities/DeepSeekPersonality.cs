using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// DeepSeek: <c>reasoning_content</c> (message and delta) for "reasoner" models, V4/V4.1 models (unless thinking is
/// disabled) and <c>thinking:{type:"enabled"}</c>; usage on the finishing chunk with cache hit/miss counters;
/// rejects the <c>developer</c> role, <c>reasoning_content</c> in input for reasoner models, and missing
/// <c>reasoning_content</c> on assistant tool-call turns in thinking mode.
/// </summary>
internal sealed class DeepSeekPersonality : Personality
{
    public override string Name => "deepseek";

    public override IReadOnlyList<string> Models { get; } = ["deepseek-flash", "deepseek-chat", "deepseek-reasoner", "deepseek-v4-flash", "deepseek-v4-pro", "deepseek-r1"];

    protected override string OwnedBy => "deepseek";

    // The 2025 R1 model rejected reasoning_content on input (quirks.md §3.3). Since V3.1 "deepseek-reasoner" names the
    // thinking mode of the hybrid model, which instead requires it back on tool-call turns.
    private static bool IsReasoner(ChatRequest request) =>
        request.Model?.Contains("r1", StringComparison.OrdinalIgnoreCase) == true;

    private static bool ThinkingMode(ChatRequest request)
    {
        var thinking = request.StringAt("thinking.type");
        var model = request.Model ?? string.Empty;
        var thinkingModel = model.Contains("v4", StringComparison.OrdinalIgnoreCase) || model.Contains("flash", StringComparison.OrdinalIgnoreCase)
            || model.Contains("reasoner", StringComparison.OrdinalIgnoreCase);
        return thinking == "enabled" || (thinkingModel && thinking != "disabled");
    }

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) =>
        OpenAIErrors.Envelope(message, type, param, code ?? "invalid_request_error");

    public override JsonObject StatusErrorBody(int statusCode) => statusCode switch
    {
        401 => ErrorBody(401, "Authentication Fails, Your api key is invalid", "authentication_error"),
        402 => ErrorBody(402, "Insufficient Balance", "unknown_error", "invalid_request_error"),
        429 => ErrorBody(429, "Rate Limit Reached", "rate_limit_error", "rate_limit_exceeded"),
        500 => ErrorBody(500, "Server Error", "server_error", "server_error"),
        503 => ErrorBody(503, "Server Overloaded", "server_error", "server_overloaded"),
        _ => ErrorBody(statusCode, DefaultMessage(statusCode), DefaultType(statusCode)),
    };

    public override JsonObject MalformedJsonBody() =>
        ErrorBody(400, "Failed to parse the request body as JSON", "invalid_request_error");

    public override RuleViolation? Validate(ChatRequest request)
    {
        for (var i = 0; i < request.Messages.Count; i++)
        {
            if (ChatRequest.RoleOf(request.Messages[i]) == "developer")
            {
                return new RuleViolation(400, ErrorBody(400,
                    $"Failed to deserialize the JSON body into the target type: messages[{i}].role: unknown variant `developer`, expected one of `system`, `user`, `assistant`, `tool`",
                    "invalid_request_error"));
            }
        }

        if (IsReasoner(request))
        {
            if (request.Messages.Any(m => m is JsonObject o && o.ContainsKey("reasoning_content")))
            {
                // fixture: deepseek-error-400-reasoning-content-in-input.json
                return new RuleViolation(400, EmulatorJson.Parse("""
                    {"error":{"message":"The reasoning_content is an intermediate result for display purposes only and will not be included in the context for inference. Please remove the reasoning_content from your message to reduce network traffic.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}
                    """));
            }
        }
        else if (ThinkingMode(request))
        {
            var missing = request.Messages.Any(m =>
                m is JsonObject o && ChatRequest.RoleOf(o) == "assistant" && o["tool_calls"] is JsonArray { Count: > 0 }
                && o["reasoning_content"] is null);
            if (missing)
            {
                // fixture: deepseek-error-400-reasoning-content-must-be-passed-back.json
                return new RuleViolation(400, EmulatorJson.Parse("""
                    {"error":{"message":"The reasoning_content in the thinking mode must be passed back to the API.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}
                    """));
            }
        }

        return null;
    }

    protected override bool Reasons(ChatRequest request) => IsReasoner(request) || ThinkingMode(request);

    protected override string NewCompletionId(IdSource ids) => ids.Uuid();

    protected override string NewToolCallId(IdSource ids, int index) => $"call_{index:00}_{ids.Alphanumeric(24)}";

    protected override void WriteMessage(CompletionContext context, JsonObject message)
    {
        message["content"] = context.HasToolCalls ? string.Empty : context.Text;
        if (context.Reasoning is not null)
        {
            message["reasoning_content"] = context.Reasoning;
        }

        if (context.HasToolCalls)
        {
            var calls = new JsonArray();
            for (var i = 0; i < context.ToolCalls.Count; i++)
            {
                var call = ToolCallObject(i, context.ToolCalls[i].Id, context.ToolCalls[i].Call);
                var withIndex = new JsonObject { ["index"] = i };
                foreach (var property in call.ToList())
                {
                    call.Remove(property.Key);
                    withIndex[property.Key] = property.Value;
                }

                calls.Add(withIndex);
            }

            message["tool_calls"] = calls;
        }
    }

    protected override JsonObject Usage(CompletionContext context) => new()
    {
        ["prompt_tokens"] = context.PromptTokens,
        ["completion_tokens"] = context.CompletionTokens,
        ["total_tokens"] = context.TotalTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = context.ReasoningTokens },
        ["prompt_cache_hit_tokens"] = 0,
        ["prompt_cache_miss_tokens"] = context.PromptTokens,
    };

    protected override void DecorateCompletion(CompletionContext context, JsonObject body) =>
        body["system_fingerprint"] = "fp_emulator_prod0820_fp8_kvcache";

    protected override JsonObject Envelope(CompletionContext context)
    {
        var envelope = base.Envelope(context);
        envelope["system_fingerprint"] = "fp_emulator_prod0820_fp8_kvcache";
        return envelope;
    }

    protected override JsonObject FirstDelta(CompletionContext context) => context.Reasoning is not null
        ? new JsonObject { ["role"] = "assistant", ["content"] = null, ["reasoning_content"] = string.Empty }
        : new JsonObject { ["role"] = "assistant", ["content"] = string.Empty };

    protected override void WriteReasoning(JsonObject target, string reasoning, bool isDelta)
    {
        if (isDelta)
        {
            target["content"] = null;
        }

        target["reasoning_content"] = reasoning;
    }

    protected override JsonObject ContentDelta(CompletionContext context, string piece) => context.Reasoning is not null
        ? new JsonObject { ["content"] = piece, ["reasoning_content"] = null }
        : new JsonObject { ["content"] = piece };

    protected override JsonObject FinishDelta(CompletionContext context) => context.Reasoning is not null
        ? new JsonObject { ["content"] = string.Empty, ["reasoning_content"] = null }
        : new JsonObject { ["content"] = string.Empty };

    protected override bool UsageOnFinishChunk(CompletionContext context) => true;

    protected override IEnumerable<SseFrame> Finish(CompletionContext context)
    {
        foreach (var frame in base.Finish(context))
        {
            yield return frame;
        }

        if (context.Request.IncludeUsage)
        {
            yield return SseFrame.Data(UsageChunk(context));
        }
    }

    protected override void DecorateChunk(CompletionContext context, JsonObject chunk, ChunkRole role)
    {
        if (role is ChunkRole.First or ChunkRole.Middle)
        {
            chunk["usage"] = null;
        }
    }
}
