using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// llama.cpp server: <c>&lt;think&gt;</c> tags inline in content for R1-style models (ids containing "r1" or "think"),
/// split across chunk boundaries when streaming; <c>timings</c> object; errors <c>{error:{code,message,type}}</c>
/// with a numeric code; in-stream errors as <c>data: {"error":…}</c>.
/// </summary>
internal sealed class LlamaCppPersonality : Personality
{
    public override string Name => "llamacpp";

    public override IReadOnlyList<string> Models { get; } =
        ["ggml-org/gemma-3-4b-it-GGUF", "DeepSeek-R1-Distill-Qwen-7B-GGUF", "Qwen3-8B-think-GGUF"];

    protected override string OwnedBy => "llamacpp";

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) => new()
    {
        ["error"] = new JsonObject { ["code"] = statusCode, ["message"] = message, ["type"] = type },
    };

    public override JsonObject StatusErrorBody(int statusCode) => statusCode switch
    {
        401 => ErrorBody(401, "Invalid API Key", "authentication_error"),
        // fixture: llamacpp-error-500-context-size-exceeded.json shape
        500 => ErrorBody(500, "Internal server error", "server_error"),
        503 => ErrorBody(503, "Loading model", "unavailable_error"),
        _ => ErrorBody(statusCode, DefaultMessage(statusCode), statusCode >= 500 ? "server_error" : "invalid_request_error"),
    };

    protected override bool Reasons(ChatRequest request)
    {
        var model = request.Model ?? string.Empty;
        return model.Contains("r1", StringComparison.OrdinalIgnoreCase) || model.Contains("think", StringComparison.OrdinalIgnoreCase);
    }

    protected override bool ReasoningInContent(ChatRequest request) => true;

    protected override string NewCompletionId(IdSource ids) => "chatcmpl-" + ids.Alphanumeric(32);

    protected override string NewToolCallId(IdSource ids, int index) => ids.Alphanumeric(32);

    private static JsonObject Timings(CompletionContext context) => new()
    {
        ["prompt_n"] = context.PromptTokens,
        ["prompt_ms"] = 12.5,
        ["prompt_per_token_ms"] = 1.25,
        ["prompt_per_second"] = 800.0,
        ["predicted_n"] = context.CompletionTokens,
        ["predicted_ms"] = 50.0,
        ["predicted_per_token_ms"] = 5.0,
        ["predicted_per_second"] = 200.0,
    };

    protected override void DecorateCompletion(CompletionContext context, JsonObject body)
    {
        body["system_fingerprint"] = "b6000-emulator";
        body["timings"] = Timings(context);
    }

    protected override JsonObject Envelope(CompletionContext context) => [];

    protected override JsonObject Choice(CompletionContext context, JsonObject delta, string? finishReason) => new()
    {
        ["finish_reason"] = finishReason,
        ["index"] = 0,
        ["delta"] = delta,
    };

    protected override void DecorateChunk(CompletionContext context, JsonObject chunk, ChunkRole role)
    {
        chunk["created"] = context.Created;
        chunk["id"] = context.Id;
        chunk["model"] = context.Model;
        chunk["system_fingerprint"] = "b6000-emulator";
        chunk["object"] = "chat.completion.chunk";
        if (role == ChunkRole.Usage)
        {
            var usage = chunk["usage"];
            chunk.Remove("usage");
            chunk["usage"] = usage;
            chunk["timings"] = Timings(context);
        }
    }
}
