using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// MiniMax: rejects <c>temperature</c> 0; M2-family models accept one leading <c>system</c> message (more, or a later
/// one, is code 2013), M1 / Text-01 / abab reject the role outright (code 2013); M2-family models put <c>&lt;think&gt;</c> in <c>content</c>
/// (or in <c>reasoning_details</c> with <c>reasoning_split:true</c>), errors carry the MiniMax code in parentheses.
/// </summary>
internal sealed class MiniMaxPersonality : Personality
{
    public override string Name => "minimax";

    public override IReadOnlyList<string> Models { get; } = ["MiniMax-M2", "MiniMax-M2.1", "MiniMax-M2.7", "MiniMax-Text-01"];

    protected override string OwnedBy => "minimax";

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param ?? string.Empty, ["code"] = code },
    };

    public override JsonObject StatusErrorBody(int statusCode) => statusCode switch
    {
        401 => ErrorBody(401, "invalid api key (1004)", "authorized_error"),
        429 => ErrorBody(429, "rate limit exceeded (1002)", "rate_limit_error"),
        500 => ErrorBody(500, "unknown error (1000)", "api_error"),
        503 => ErrorBody(503, "service is overloaded, please try again later (1000)", "api_error"),
        _ => ErrorBody(statusCode, $"{DefaultMessage(statusCode)} (2013)", statusCode >= 500 ? "api_error" : "bad_request_error"),
    };

    public override RuleViolation? Validate(ChatRequest request)
    {
        if (request.Body["temperature"] is JsonValue t && t.TryGetValue<double>(out var temperature) && temperature <= 0)
        {
            // temperature must lie in (0, 1] (issue 16; reconstructed wording in MiniMax's 2013 shape).
            return new RuleViolation(400, ErrorBody(400, "invalid params, temperature must be in (0, 1] (2013)", "bad_request_error"));
        }

        if (CurrentModel(request))
        {
            // The M2 family accepts one leading system message; several, or one later on, is "invalid chat setting".
            var systems = request.Messages.Select((m, i) => (Role: ChatRequest.RoleOf(m), Index: i)).Where(m => m.Role == "system").ToList();
            if (systems.Count > 1 || systems.Any(s => s.Index > 0))
            {
                // fixture: minimax-error-400-invalid-chat-setting.json
                return new RuleViolation(400, ErrorBody(400, "invalid params, invalid chat setting (2013)", "bad_request_error"));
            }

            return null;
        }

        if (request.Messages.Any(m => ChatRequest.RoleOf(m) == "system"))
        {
            // fixture: minimax-error-400-system-role-openai-shape.json
            return new RuleViolation(400, EmulatorJson.Parse("""
                {"error":{"message":"invalid params, chat content has invalid message role: system (2013)","type":"bad_request_error","param":"","code":null}}
                """));
        }

        return null;
    }

    // Older models and endpoints rejected the system role outright; the M2 family accepts one leading system message.
    private static bool CurrentModel(ChatRequest request) =>
        request.Model is not { } model
        || !(model.StartsWith("MiniMax-M1", StringComparison.OrdinalIgnoreCase) || model.StartsWith("MiniMax-Text-01", StringComparison.OrdinalIgnoreCase) || model.StartsWith("abab", StringComparison.OrdinalIgnoreCase));

    private static bool ReasoningSplit(ChatRequest request) =>
        request.Body["reasoning_split"] is JsonValue v && v.TryGetValue<bool>(out var split) && split;

    protected override bool Reasons(ChatRequest request) =>
        request.Model?.Contains("M2", StringComparison.OrdinalIgnoreCase) == true;

    protected override bool ReasoningInContent(ChatRequest request) => !ReasoningSplit(request);

    protected override void WriteReasoning(JsonObject target, string reasoning, bool isDelta) =>
        target["reasoning_details"] = new JsonArray(new JsonObject
        {
            ["type"] = "reasoning.text",
            ["id"] = "reasoning-text-1",
            ["format"] = "MiniMax-response-v1",
            ["index"] = 0,
            ["text"] = reasoning,
        });

    protected override string NewCompletionId(IdSource ids) => ids.Hex(32);

    protected override string NewToolCallId(IdSource ids, int index) => $"call_function_{ids.Digits(10)}_{index + 1}";

    protected override void DecorateCompletion(CompletionContext context, JsonObject body)
    {
        body["input_sensitive"] = false;
        body["output_sensitive"] = false;
    }
}
