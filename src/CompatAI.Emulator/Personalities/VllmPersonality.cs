using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// vLLM: BOTH <c>reasoning</c> and <c>reasoning_content</c> for reasoning models (ids containing qwen3, r1, think, gpt-oss),
/// <c>token_ids:null</c> on stream choices, <c>chatcmpl-tool-…</c> ids, <c>finish_reason:"eos"</c> for model ids containing
/// "eos" (a non-standard value some servers emit), nested errors, legacy <c>{"error":{"object":"error",…}}</c> in-stream
/// error followed by <c>[DONE]</c>.
/// </summary>
internal sealed class VllmPersonality : Personality
{
    private static readonly string[] s_reasoningModelMarkers = ["qwen3", "r1", "think", "gpt-oss"];

    public override string Name => "vllm";

    public override IReadOnlyList<string> Models { get; } =
        ["Qwen/Qwen3-8B", "meta-llama/Llama-3.1-8B-Instruct", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "emulator/eos-finish-model"];

    protected override string OwnedBy => "vllm";

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = VllmType(statusCode), ["param"] = param, ["code"] = statusCode },
    };

    private static string VllmType(int statusCode) => statusCode switch
    {
        400 => "BadRequestError",
        404 => "NotFoundError",
        429 => "TooManyRequestsError",
        501 => "NotImplementedError",
        503 => "ServiceUnavailableError",
        >= 500 => "InternalServerError",
        _ => "BadRequestError",
    };

    // vLLM started with --api-key answers a bare {"error": "Unauthorized"}.
    public override JsonObject StatusErrorBody(int statusCode) => statusCode == 401
        ? new JsonObject { ["error"] = "Unauthorized" }
        : ErrorBody(statusCode, DefaultMessage(statusCode), VllmType(statusCode));

    public override IEnumerable<SseFrame> MidStreamError(CompletionContext context)
    {
        // fixture shape: vllm-stream-error-legacy-object-error.sse (the generator always ends with [DONE]).
        yield return SseFrame.Data(new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["object"] = "error",
                ["message"] = "Internal server error occurred while generating.",
                ["type"] = "InternalServerError",
                ["param"] = null,
                ["code"] = 500,
            },
        });
        yield return SseFrame.Done;
    }

    protected override bool Reasons(ChatRequest request)
    {
        var model = request.Model ?? string.Empty;
        var reasoningModel = s_reasoningModelMarkers.Any(m => model.Contains(m, StringComparison.OrdinalIgnoreCase));
        var disabled = request.Body["chat_template_kwargs"]?["enable_thinking"] is JsonValue v && v.TryGetValue<bool>(out var on) && !on;
        return reasoningModel && !disabled;
    }

    protected override string FinishReasonFor(ChatRequest request, AnswerPlan plan) =>
        !plan.IsToolCall && request.Model?.Contains("eos", StringComparison.OrdinalIgnoreCase) == true
            ? "eos"
            : base.FinishReasonFor(request, plan);

    protected override string NewCompletionId(IdSource ids) => "chatcmpl-" + ids.Hex(32);

    protected override string NewToolCallId(IdSource ids, int index) => "chatcmpl-tool-" + ids.Hex(16);

    protected override void WriteReasoning(JsonObject target, string reasoning, bool isDelta)
    {
        target["reasoning"] = reasoning;
        target["reasoning_content"] = reasoning;
    }

    protected override void WriteMessage(CompletionContext context, JsonObject message)
    {
        message["content"] = context.HasToolCalls ? null : context.Text;
        message["refusal"] = null;
        message["annotations"] = null;
        message["audio"] = null;
        message["function_call"] = null;
        var calls = new JsonArray();
        for (var i = 0; i < context.ToolCalls.Count; i++)
        {
            calls.Add(ToolCallObject(i, context.ToolCalls[i].Id, context.ToolCalls[i].Call));
        }

        message["tool_calls"] = calls;
        message["reasoning"] = context.Reasoning;
        message["reasoning_content"] = context.Reasoning;
    }

    public override JsonObject Completion(CompletionContext context)
    {
        var body = base.Completion(context);
        var choice = (JsonObject)body["choices"]![0]!;
        choice["stop_reason"] = null;
        choice["token_ids"] = null;
        return body;
    }

    protected override JsonObject Usage(CompletionContext context) => new()
    {
        ["prompt_tokens"] = context.PromptTokens,
        ["total_tokens"] = context.TotalTokens,
        ["completion_tokens"] = context.CompletionTokens,
        ["prompt_tokens_details"] = null,
    };

    protected override void DecorateCompletion(CompletionContext context, JsonObject body)
    {
        body["service_tier"] = null;
        body["system_fingerprint"] = null;
        body["prompt_logprobs"] = null;
        body["prompt_token_ids"] = null;
        body["kv_transfer_params"] = null;
    }

    protected override JsonObject ContentDelta(CompletionContext context, string piece) => context.Reasoning is not null
        ? new JsonObject { ["content"] = piece, ["reasoning_content"] = null }
        : new JsonObject { ["content"] = piece };

    protected override JsonObject Choice(CompletionContext context, JsonObject delta, string? finishReason)
    {
        var choice = base.Choice(context, delta, finishReason);
        if (finishReason is not null)
        {
            choice["stop_reason"] = null;
        }

        choice["token_ids"] = null;
        return choice;
    }
}
