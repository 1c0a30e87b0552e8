using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// Groq: <c>x_groq</c> on the first and last chunk (usage inside <c>x_groq.usage</c>), <c>reasoning</c> field for
/// qwen3 / gpt-oss models, each tool call whole in one delta with <c>index</c> last, 9-char lowercase tool-call ids;
/// strict validation: <c>n</c> &gt; 1, <c>logit_bias</c>, unknown top-level or per-message properties are rejected.
/// </summary>
internal sealed class GroqPersonality : Personality
{
    private static readonly string[] TopLevelProperties =
    [
        "messages", "model", "citation_options", "compound_custom", "disable_tool_validation", "documents",
        "exclude_domains", "frequency_penalty", "function_call", "functions", "include_domains", "include_reasoning",
        "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata", "n", "parallel_tool_calls",
        "presence_penalty", "reasoning_effort", "reasoning_format", "response_format", "search_settings", "seed",
        "service_tier", "stop", "stream", "stream_options", "temperature", "tool_choice", "tools", "top_logprobs",
        "top_p", "user",
    ];

    private static readonly Dictionary<string, string[]> MessageProperties = new(StringComparer.Ordinal)
    {
        ["system"] = ["content", "name", "role"],
        ["developer"] = ["content", "name", "role"],
        ["user"] = ["content", "name", "role"],
        ["assistant"] = ["content", "function_call", "name", "reasoning", "role", "tool_calls"],
        ["tool"] = ["content", "name", "role", "tool_call_id"],
    };

    public override string Name => "groq";

    public override IReadOnlyList<string> Models { get; } =
        ["llama-3.3-70b-versatile", "llama-3.1-8b-instant", "qwen/qwen3-32b", "openai/gpt-oss-20b", "openai/gpt-oss-120b"];

    protected override string OwnedBy => "Meta";

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null)
    {
        var error = new JsonObject { ["message"] = message, ["type"] = type };
        if (code is not null)
        {
            error["code"] = code;
        }

        if (param is not null)
        {
            error["param"] = param;
        }

        return new JsonObject { ["error"] = error };
    }

    public override JsonObject StatusErrorBody(int statusCode) => statusCode switch
    {
        401 => ErrorBody(401, "Invalid API Key", "invalid_request_error", "invalid_api_key"),
        // A model Groq no longer serves (reconstructed from Groq's OpenAI-style wording).
        404 => ErrorBody(404, "The model `llama-3.3-70b-versatile` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"),
        413 => ErrorBody(413, "Request too large for model `llama-3.3-70b-versatile` in organization `org_01emulator` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Requested 12328, please reduce your message size and try again. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing", "tokens", "rate_limit_exceeded"),
        // fixture: groq-error-429-rate-limit-tpd-service-tier.json
        429 => EmulatorJson.Parse("""
            {"error":{"message":"Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01kjh7p9n8f1qs6nz2bz77vy6b` service tier `on_demand` on tokens per day (TPD): Limit 100000, Used 97050, Requested 3619. Please try again in 9m38.016s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing","type":"tokens","code":"rate_limit_exceeded"}}
            """),
        500 => ErrorBody(500, "Internal Server Error", "internal_server_error"),
        503 => ErrorBody(503, "Service Unavailable", "internal_server_error"),
        _ => ErrorBody(statusCode, DefaultMessage(statusCode), statusCode >= 500 ? "internal_server_error" : "invalid_request_error"),
    };

    // Groq semantics: -requests is per day, -tokens is per minute.
    public override IEnumerable<KeyValuePair<string, string>> ResponseHeaders() =>
    [
        new("x-request-id", "req_01emulator"),
        new("x-ratelimit-limit-requests", "14400"),
        new("x-ratelimit-limit-tokens", "6000"),
        new("x-ratelimit-remaining-requests", "14399"),
        new("x-ratelimit-remaining-tokens", "5843"),
        new("x-ratelimit-reset-requests", "6s"),
        new("x-ratelimit-reset-tokens", "1.57s"),
    ];

    public override IEnumerable<SseFrame> MidStreamError(CompletionContext context)
    {
        var body = StatusErrorBody(500);
        body["status_code"] = 500;
        yield return SseFrame.Event("error", body);
    }

    public override RuleViolation? Validate(ChatRequest request)
    {
        foreach (var property in request.Body)
        {
            if (!TopLevelProperties.Contains(property.Key, StringComparer.Ordinal))
            {
                // fixture: groq-error-400-unsupported-property-store.json
                return Invalid($"property '{property.Key}' is unsupported, did you mean '{Levenshtein.Closest(property.Key, TopLevelProperties)}'?");
            }
        }

        if (request.Body["n"] is JsonValue n && n.TryGetValue<double>(out var count) && count > 1)
        {
            // fixture: groq-error-400-n-greater-than-1.json
            return Invalid("'n' : number must be at most 1");
        }

        if (request.Body["temperature"] is { } temperature && temperature.GetValueKind() != System.Text.Json.JsonValueKind.Number)
        {
            // fixture: groq-error-400-temperature-type.json
            return Invalid("'temperature' : value must be a number");
        }

        if (request.StringAt("response_format.type") == "json_object" && request.Tools is { Count: > 0 })
        {
            // fixture: groq-error-400-json-mode-with-tools.json
            return new RuleViolation(400, ErrorBody(400, "json mode cannot be combined with tool/function calling", "invalid_request_error", param: "response_format"));
        }

        if (request.Body["logit_bias"] is not null)
        {
            // Groq documents logit_bias as unsupported (400); message reconstructed in Groq's property style.
            return Invalid("property 'logit_bias' is unsupported");
        }

        for (var i = 0; i < request.Messages.Count; i++)
        {
            if (request.Messages[i] is not JsonObject message || ChatRequest.RoleOf(message) is not { } role
                || !MessageProperties.TryGetValue(role, out var allowed))
            {
                continue;
            }

            foreach (var property in message)
            {
                if (!allowed.Contains(property.Key, StringComparer.Ordinal))
                {
                    // fixture: groq-error-400-message-property-unsupported.json
                    var hint = Levenshtein.Closest(property.Key, allowed);
                    return Invalid($"'messages.{i}' : for 'role:{role}' the following must be satisfied[('messages.{i}' : property '{property.Key}' is unsupported, did you mean '{hint}'?)]");
                }
            }
        }

        return null;
    }

    private RuleViolation Invalid(string message) => new(400, ErrorBody(400, message, "invalid_request_error"));

    protected override bool Reasons(ChatRequest request)
    {
        var model = request.Model ?? Models[0];
        var reasoningModel = model.Contains("qwen3", StringComparison.OrdinalIgnoreCase) || model.Contains("gpt-oss", StringComparison.OrdinalIgnoreCase);
        return reasoningModel && request.StringAt("reasoning_format") != "hidden" && request.StringAt("reasoning_effort") != "none";
    }

    protected override bool ReasoningInContent(ChatRequest request) => request.StringAt("reasoning_format") == "raw";

    protected override void WriteReasoning(JsonObject target, string reasoning, bool isDelta) => target["reasoning"] = reasoning;

    protected override string NewCompletionId(IdSource ids) => "chatcmpl-" + ids.Uuid();

    protected override string NewToolCallId(IdSource ids, int index) => ids.LowerAlphanumeric(9);

    private static string RequestId(CompletionContext context) => "req_01" + new IdSource(context.Id).LowerAlphanumeric(24);

    protected override void WriteMessage(CompletionContext context, JsonObject message)
    {
        base.WriteMessage(context, message);
        if (context.HasToolCalls)
        {
            message.Remove("content");
        }
    }

    protected override JsonObject Usage(CompletionContext context)
    {
        var usage = new JsonObject
        {
            ["queue_time"] = 0.0123,
            ["prompt_tokens"] = context.PromptTokens,
            ["prompt_time"] = 0.0021,
            ["completion_tokens"] = context.CompletionTokens,
            ["completion_time"] = 0.0456,
            ["total_tokens"] = context.TotalTokens,
            ["total_time"] = 0.0477,
        };
        if (context.Reasoning is not null)
        {
            usage["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = context.ReasoningTokens };
        }

        return usage;
    }

    protected override void DecorateCompletion(CompletionContext context, JsonObject body)
    {
        body["usage_breakdown"] = null;
        body["system_fingerprint"] = "fp_emulator0";
        body["x_groq"] = new JsonObject { ["id"] = RequestId(context), ["seed"] = 1790130236 };
        body["service_tier"] = "on_demand";
    }

    protected override JsonObject Envelope(CompletionContext context)
    {
        var envelope = base.Envelope(context);
        envelope["system_fingerprint"] = "fp_emulator0";
        return envelope;
    }

    protected override IEnumerable<JsonObject> ToolCallDeltas(CompletionContext context)
    {
        for (var i = 0; i < context.ToolCalls.Count; i++)
        {
            var (id, call) = context.ToolCalls[i];
            yield return new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
                    ["index"] = i,
                }),
            };
        }
    }

    protected override IEnumerable<SseFrame> Finish(CompletionContext context)
    {
        var chunk = Chunk(context, [], context.FinishReason, ChunkRole.Finish);
        chunk["x_groq"] = new JsonObject { ["id"] = RequestId(context), ["usage"] = Usage(context) };
        if (context.Request.IncludeUsage)
        {
            chunk["usage"] = Usage(context);
        }

        yield return SseFrame.Data(chunk);
    }

    protected override void DecorateChunk(CompletionContext context, JsonObject chunk, ChunkRole role)
    {
        if (role == ChunkRole.First)
        {
            chunk["x_groq"] = new JsonObject { ["id"] = RequestId(context), ["seed"] = 1790130236 };
        }
    }
}
