using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CompatAI.Emulator;

/// <summary>
/// Mistral: flat <c>{object:"error",…}</c> errors with string codes, 9-char alphanumeric tool-call ids, tool calls
/// without <c>type</c>, streamed tool calls WITHOUT <c>index</c> (whole call in the finishing chunk together with
/// <c>finish_reason</c> and usage), Magistral content arrays with a <c>thinking</c> part; rejects non-conforming
/// tool-call ids (400, code 3280) and <c>tool_choice:"required"</c> (422, it wants "any").
/// </summary>
internal sealed partial class MistralPersonality : Personality
{
    public override string Name => "mistral";

    public override IReadOnlyList<string> Models { get; } =
        ["mistral-small-latest", "mistral-large-latest", "magistral-medium-2507", "magistral-small-2507"];

    protected override string OwnedBy => "mistralai";

    [GeneratedRegex("^[a-zA-Z0-9]{9}$")]
    private static partial Regex ValidToolCallId();

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) => new()
    {
        ["object"] = "error",
        ["message"] = message,
        ["type"] = type,
        ["param"] = param,
        ["code"] = code,
    };

    public override JsonObject StatusErrorBody(int statusCode) => statusCode switch
    {
        401 => new JsonObject { ["message"] = "Unauthorized", ["request_id"] = "0123456789abcdef0123456789abcdef" },
        429 => ErrorBody(429, "Requests rate limit exceeded", "rate_limited", "1300"),
        500 => ErrorBody(500, "Internal server error", "internal_server_error", "1000"),
        503 => ErrorBody(503, "Service unavailable", "service_unavailable", "1000"),
        _ => ErrorBody(statusCode, DefaultMessage(statusCode), DefaultType(statusCode)),
    };

    public override IEnumerable<SseFrame> MidStreamError(CompletionContext context)
    {
        yield return SseFrame.Data(new JsonObject { ["error"] = StatusErrorBody(500) });
    }

    public override RuleViolation? Validate(ChatRequest request)
    {
        foreach (var message in request.Messages.OfType<JsonObject>())
        {
            var ids = new List<string>();
            if (message["tool_calls"] is JsonArray calls)
            {
                ids.AddRange(calls.Select(c => c?["id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>());
            }

            if (message["tool_call_id"] is JsonValue t && t.TryGetValue<string>(out var toolCallId))
            {
                ids.Add(toolCallId);
            }

            var bad = ids.FirstOrDefault(id => !ValidToolCallId().IsMatch(id));
            if (bad is not null)
            {
                // fixture: mistral-error-400-invalid-tool-call-id.json
                return new RuleViolation(400, ErrorBody(400,
                    $"Tool call id was {bad} but must be a-z, A-Z, 0-9, with a length of 9.", "invalid_function_call", "3280"));
            }
        }

        if (request.Messages.Count > 0 && request.Messages[^1] is JsonObject last && ChatRequest.RoleOf(last) is { } lastRole
            && lastRole is not ("user" or "tool")
            && !(lastRole == "assistant" && last["prefix"] is JsonValue prefix && prefix.TryGetValue<bool>(out var isPrefix) && isPrefix))
        {
            // Mistral serving rule (code 3230): the conversation must end with user or tool (or an assistant prefix).
            return new RuleViolation(400, ErrorBody(400,
                $"Expected last role User or Tool (or Assistant with prefix True) for serving but got {lastRole}",
                "invalid_request_message_order", "3230"));
        }

        if (request.ToolChoice is JsonValue choice && choice.TryGetValue<string>(out var value) && value == "required")
        {
            // Mistral wants "any" for a forced tool call; FastAPI/pydantic 422 shape (reconstructed).
            return new RuleViolation(422, EmulatorJson.Parse("""
                {"detail":[{"type":"enum","loc":["body","tool_choice","enum[ToolChoiceEnum]"],"msg":"Input should be 'auto', 'none' or 'any'","input":"required","ctx":{"expected":"'auto', 'none' or 'any'"}}]}
                """));
        }

        return null;
    }

    private static bool IsMagistral(ChatRequest request) =>
        request.Model?.StartsWith("magistral", StringComparison.OrdinalIgnoreCase) == true;

    protected override bool Reasons(ChatRequest request) => IsMagistral(request);

    protected override string NewCompletionId(IdSource ids) => ids.Hex(32);

    protected override string NewToolCallId(IdSource ids, int index) => ids.Alphanumeric(9);

    protected override JsonObject ToolCallObject(int index, string id, PlannedToolCall call) => new()
    {
        ["id"] = id,
        ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
    };

    private static JsonObject ThinkingPart(string text) => new()
    {
        ["type"] = "thinking",
        ["thinking"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
    };

    public override JsonObject Completion(CompletionContext context)
    {
        var message = new JsonObject { ["role"] = "assistant" };
        if (context.HasToolCalls)
        {
            var calls = new JsonArray();
            for (var i = 0; i < context.ToolCalls.Count; i++)
            {
                calls.Add(ToolCallObject(i, context.ToolCalls[i].Id, context.ToolCalls[i].Call));
            }

            message["tool_calls"] = calls;
        }
        else if (context.Reasoning is not null)
        {
            message["content"] = new JsonArray(ThinkingPart(context.Reasoning), new JsonObject { ["type"] = "text", ["text"] = context.Text });
        }
        else
        {
            message["content"] = context.Text;
        }

        return new JsonObject
        {
            ["id"] = context.Id,
            ["created"] = context.Created,
            ["model"] = context.Model,
            ["usage"] = Usage(context),
            ["object"] = "chat.completion",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["finish_reason"] = context.FinishReason,
                ["message"] = message,
            }),
        };
    }

    protected override JsonObject ReasoningDelta(CompletionContext context, string piece) =>
        new() { ["content"] = new JsonArray(ThinkingPart(piece)) };

    protected override JsonObject FirstDelta(CompletionContext context) => new() { ["role"] = "assistant", ["content"] = string.Empty };

    protected override IEnumerable<JsonObject> ToolCallDeltas(CompletionContext context) => [];

    protected override JsonObject Choice(CompletionContext context, JsonObject delta, string? finishReason) => new()
    {
        ["index"] = 0,
        ["delta"] = delta,
        ["finish_reason"] = finishReason,
        ["logprobs"] = null,
    };

    protected override IEnumerable<SseFrame> Finish(CompletionContext context)
    {
        var delta = new JsonObject { ["content"] = string.Empty };
        if (context.HasToolCalls)
        {
            var calls = new JsonArray();
            for (var i = 0; i < context.ToolCalls.Count; i++)
            {
                calls.Add(ToolCallObject(i, context.ToolCalls[i].Id, context.ToolCalls[i].Call));
            }

            delta["tool_calls"] = calls;
        }

        var chunk = Chunk(context, delta, context.FinishReason, ChunkRole.Finish);
        chunk["usage"] = Usage(context);
        yield return SseFrame.Data(chunk);
    }
}
