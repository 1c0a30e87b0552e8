using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// OpenRouter: <c>: OPENROUTER PROCESSING</c> keep-alive comments, <c>provider</c> and <c>native_finish_reason</c>,
/// <c>reasoning</c> + <c>reasoning_details</c> (when <c>reasoning</c>/<c>include_reasoning</c> is requested or the model id
/// contains "r1"/"thinking"), a trailing usage chunk with <c>cost</c> on every stream, numeric <c>error.code</c>.
/// </summary>
internal sealed class OpenRouterPersonality : Personality
{
    public const string KeepAliveComment = "OPENROUTER PROCESSING";

    public override string Name => "openrouter";

    public override IReadOnlyList<string> Models { get; } =
        ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4", "google/gemini-2.5-flash", "deepseek/deepseek-r1"];

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) =>
        new() { ["error"] = new JsonObject { ["message"] = message, ["code"] = statusCode } };

    public override JsonObject StatusErrorBody(int statusCode) => statusCode switch
    {
        401 => ErrorBody(401, "No auth credentials found", "auth"),
        402 => ErrorBody(402, "Insufficient credits. Add more using https://openrouter.ai/settings/credits", "credits"),
        // fixture: openrouter-error-429-free-models-per-day.json
        429 => EmulatorJson.Parse("""
            {"error":{"message":"Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day","code":429,"metadata":{"headers":{"X-RateLimit-Limit":"50","X-RateLimit-Remaining":"0"}}}}
            """),
        500 => ErrorBody(500, "Internal Server Error", "server"),
        502 => new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = 502,
                ["message"] = "Provider returned error",
                ["metadata"] = new JsonObject { ["is_byok"] = false, ["provider_name"] = "OpenAI", ["raw"] = "upstream connection error" },
            },
        },
        503 => ErrorBody(503, "No allowed providers are available for the selected model.", "server"),
        _ => ErrorBody(statusCode, DefaultMessage(statusCode), DefaultType(statusCode)),
    };

    public override IEnumerable<SseFrame> MidStreamError(CompletionContext context)
    {
        var chunk = Envelope(context);
        chunk["error"] = new JsonObject
        {
            ["code"] = 502,
            ["message"] = "Provider returned error",
            ["metadata"] = new JsonObject { ["provider_name"] = ProviderOf(context.Model), ["raw"] = "upstream stream interrupted" },
        };
        chunk["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = new JsonObject { ["content"] = string.Empty },
            ["finish_reason"] = "error",
            ["native_finish_reason"] = "error",
        });
        yield return SseFrame.Data(chunk);
    }

    private static string ProviderOf(string model) => model.Split('/')[0].ToLowerInvariant() switch
    {
        "openai" => "OpenAI",
        "anthropic" => "Anthropic",
        "google" => "Google",
        "deepseek" => "DeepSeek",
        "mistralai" => "Mistral",
        "meta-llama" => "Together",
        _ => "OpenRouter",
    };

    private static string? NativeFinishReason(string model, string? finishReason) => finishReason switch
    {
        null => null,
        _ when model.StartsWith("anthropic/", StringComparison.OrdinalIgnoreCase) => finishReason == "tool_calls" ? "tool_use" : "end_turn",
        _ when model.StartsWith("google/", StringComparison.OrdinalIgnoreCase) => "STOP",
        _ => finishReason,
    };

    protected override bool Reasons(ChatRequest request)
    {
        if (request.Body["reasoning"] is JsonObject reasoning)
        {
            var excluded = reasoning["exclude"] is JsonValue e && e.TryGetValue<bool>(out var x) && x;
            var disabled = (reasoning["enabled"] is JsonValue en && en.TryGetValue<bool>(out var on) && !on)
                           || request.StringAt("reasoning.effort") == "none";
            return !excluded && !disabled;
        }

        if (request.Body["include_reasoning"] is JsonValue include && include.TryGetValue<bool>(out var wanted))
        {
            return wanted;
        }

        var model = request.Model ?? string.Empty;
        return model.Contains("r1", StringComparison.OrdinalIgnoreCase) || model.Contains("thinking", StringComparison.OrdinalIgnoreCase);
    }

    protected override string NewCompletionId(IdSource ids) => $"gen-{ids.Digits(10)}-{ids.Alphanumeric(20)}";

    protected override void WriteReasoning(JsonObject target, string reasoning, bool isDelta)
    {
        target["reasoning"] = reasoning;
        target["reasoning_details"] = new JsonArray(new JsonObject
        {
            ["type"] = "reasoning.text",
            ["text"] = reasoning,
            ["format"] = "unknown",
            ["index"] = 0,
        });
    }

    protected override void WriteMessage(CompletionContext context, JsonObject message)
    {
        message["content"] = context.HasToolCalls ? string.Empty : context.Text;
        message["refusal"] = null;
        message["reasoning"] = null;
        if (context.Reasoning is not null)
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

    protected override JsonObject Usage(CompletionContext context)
    {
        var cost = context.TotalTokens * 0.000001m;
        return new JsonObject
        {
            ["prompt_tokens"] = context.PromptTokens,
            ["completion_tokens"] = context.CompletionTokens,
            ["total_tokens"] = context.TotalTokens,
            ["cost"] = cost,
            ["is_byok"] = false,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["cache_write_tokens"] = 0, ["audio_tokens"] = 0 },
            ["cost_details"] = new JsonObject
            {
                ["upstream_inference_cost"] = cost,
                ["upstream_inference_prompt_cost"] = context.PromptTokens * 0.000001m,
                ["upstream_inference_completions_cost"] = context.CompletionTokens * 0.000001m,
            },
            ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = context.ReasoningTokens, ["image_tokens"] = 0 },
        };
    }

    public override JsonObject Completion(CompletionContext context)
    {
        var body = base.Completion(context);
        var choice = (JsonObject)body["choices"]![0]!;
        choice["native_finish_reason"] = NativeFinishReason(context.Model, context.FinishReason);
        return body;
    }

    protected override void DecorateCompletion(CompletionContext context, JsonObject body)
    {
        body["provider"] = ProviderOf(context.Model);
        body["system_fingerprint"] = null;
    }

    protected override IEnumerable<SseFrame> Preamble(CompletionContext context) =>
        [SseFrame.Comment(KeepAliveComment), SseFrame.Comment(KeepAliveComment)];

    protected override JsonObject Envelope(CompletionContext context) => new()
    {
        ["id"] = context.Id,
        ["provider"] = ProviderOf(context.Model),
        ["model"] = context.Model,
        ["object"] = "chat.completion.chunk",
        ["created"] = context.Created,
    };

    protected override JsonObject Choice(CompletionContext context, JsonObject delta, string? finishReason)
    {
        if (!delta.ContainsKey("role"))
        {
            delta.Insert(0, "role", "assistant");
        }

        return new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["finish_reason"] = finishReason,
            ["native_finish_reason"] = NativeFinishReason(context.Model, finishReason),
            ["logprobs"] = null,
        };
    }

    protected override JsonObject ReasoningDelta(CompletionContext context, string piece)
    {
        var delta = new JsonObject { ["content"] = string.Empty };
        WriteReasoning(delta, piece, isDelta: true);
        return delta;
    }

    protected override JsonObject FinishDelta(CompletionContext context) => new() { ["content"] = string.Empty };

    protected override IEnumerable<SseFrame> Finish(CompletionContext context)
    {
        yield return SseFrame.Data(Chunk(context, FinishDelta(context), context.FinishReason, ChunkRole.Finish));

        // OpenRouter always accounts usage: the trailing chunk repeats an empty delta and carries usage with cost.
        var usageChunk = Chunk(context, new JsonObject { ["content"] = string.Empty }, null, ChunkRole.Usage);
        usageChunk["usage"] = Usage(context);
        yield return SseFrame.Data(usageChunk);
    }

    protected override void DecorateChunk(CompletionContext context, JsonObject chunk, ChunkRole role) =>
        chunk["system_fingerprint"] = "fp_emulator";
}
