using System.Globalization;
using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// OpenAI: canonical shapes, <c>obfuscation</c> padding on stream chunks, usage chunk with <c>choices:[]</c> when
/// <c>stream_options.include_usage</c>; reasoning models (o1/o3/o4/gpt-5) reject <c>max_tokens</c> and non-default
/// <c>temperature</c> and <c>stop</c>, o1-mini/o1-preview reject the <c>system</c> role.
/// </summary>
internal sealed class OpenAIPersonality : Personality
{
    public override string Name => "openai";

    public override IReadOnlyList<string> Models { get; } = ["gpt-4o-mini", "gpt-4o", "gpt-4.1", "o3-mini", "o1-mini", "gpt-5"];

    protected override string OwnedBy => "system";

    internal static bool IsReasoningModel(string model) =>
        (model.StartsWith("o1", StringComparison.OrdinalIgnoreCase)
         || model.StartsWith("o3", StringComparison.OrdinalIgnoreCase)
         || model.StartsWith("o4", StringComparison.OrdinalIgnoreCase)
         || model.StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase))
        && !model.Contains("-chat", StringComparison.OrdinalIgnoreCase);

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) =>
        OpenAIErrors.Envelope(message, type, param, code);

    public override JsonObject StatusErrorBody(int statusCode) => statusCode switch
    {
        401 => OpenAIErrors.Envelope(
            "Incorrect API key provided: ********. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error", null, "invalid_api_key"),
        404 => OpenAIErrors.Envelope(
            "The model `gpt-4` does not exist or you do not have access to it. Learn more: https://help.openai.com/en/articles/7102672-how-can-i-access-gpt-4.",
            "invalid_request_error", null, "model_not_found"),
        429 => OpenAIErrors.RateLimitExceeded(),
        500 => OpenAIErrors.ServerError(),
        503 => OpenAIErrors.Overloaded(),
        _ => OpenAIErrors.Envelope(DefaultMessage(statusCode), statusCode >= 500 ? "server_error" : "invalid_request_error", null, null),
    };

    public override JsonObject MalformedJsonBody() => OpenAIErrors.Envelope(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
        "invalid_request_error", null, null);

    public override IEnumerable<KeyValuePair<string, string>> ResponseHeaders() =>
    [
        new("x-request-id", "req_emulator"),
        new("openai-processing-ms", "1"),
        new("x-ratelimit-limit-requests", "10000"),
        new("x-ratelimit-limit-tokens", "30000000"),
        new("x-ratelimit-remaining-requests", "9999"),
        new("x-ratelimit-remaining-tokens", "29999966"),
        new("x-ratelimit-reset-requests", "6ms"),
        new("x-ratelimit-reset-tokens", "0s"),
    ];

    public override RuleViolation? Validate(ChatRequest request)
    {
        var model = request.Model ?? Models[0];
        if (!IsReasoningModel(model))
        {
            return null;
        }

        if (model.StartsWith("o1-mini", StringComparison.OrdinalIgnoreCase) || model.StartsWith("o1-preview", StringComparison.OrdinalIgnoreCase))
        {
            for (var i = 0; i < request.Messages.Count; i++)
            {
                if (ChatRequest.RoleOf(request.Messages[i]) == "system")
                {
                    // fixture: openai-error-400-system-role-unsupported-o1.json
                    return new RuleViolation(400, OpenAIErrors.Envelope(
                        $"Unsupported value: 'messages[{i}].role' does not support 'system' with this model.",
                        "invalid_request_error", $"messages[{i}].role", "unsupported_value"));
                }
            }
        }

        if (request.HasValue("max_tokens"))
        {
            // fixture: openai-error-400-unsupported-parameter-max-tokens.json
            return new RuleViolation(400, OpenAIErrors.Envelope(
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                "invalid_request_error", "max_tokens", "unsupported_parameter"));
        }

        if (request.HasValue("stop"))
        {
            // Reasoning models (o3, o4-mini, gpt-5.x) reject stop sequences (issue 16; OpenAI's chat reference).
            return new RuleViolation(400, OpenAIErrors.Envelope(
                "Unsupported parameter: 'stop' is not supported with this model.",
                "invalid_request_error", "stop", "unsupported_parameter"));
        }

        if (request.Body["temperature"] is JsonValue t && t.TryGetValue<double>(out var temperature) && temperature != 1)
        {
            // fixture: openai-error-400-unsupported-value-temperature.json
            var shown = temperature.ToString(CultureInfo.InvariantCulture);
            return new RuleViolation(400, OpenAIErrors.Envelope(
                $"Unsupported value: 'temperature' does not support {shown} with this model. Only the default (1) value is supported.",
                "invalid_request_error", "temperature", "unsupported_value"));
        }

        return null;
    }

    protected override void WriteMessage(CompletionContext context, JsonObject message)
    {
        base.WriteMessage(context, message);
        message["refusal"] = null;
        message["annotations"] = new JsonArray();
    }

    protected override JsonObject Usage(CompletionContext context)
    {
        var model = context.Model;
        var reasoningTokens = IsReasoningModel(model) ? TextPieces.CountWords(ReasoningFor(context.Request)) : 0;
        return new JsonObject
        {
            ["prompt_tokens"] = context.PromptTokens,
            ["completion_tokens"] = context.CompletionTokens + reasoningTokens,
            ["total_tokens"] = context.TotalTokens + reasoningTokens,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
            ["completion_tokens_details"] = new JsonObject
            {
                ["reasoning_tokens"] = reasoningTokens,
                ["audio_tokens"] = 0,
                ["accepted_prediction_tokens"] = 0,
                ["rejected_prediction_tokens"] = 0,
            },
        };
    }

    protected override void DecorateCompletion(CompletionContext context, JsonObject body)
    {
        body["service_tier"] = "default";
        body["system_fingerprint"] = "fp_emulator01";
    }

    protected override JsonObject FirstDelta(CompletionContext context) => new()
    {
        ["role"] = "assistant",
        ["content"] = context.HasToolCalls ? null : string.Empty,
        ["refusal"] = null,
    };

    protected override JsonObject Envelope(CompletionContext context)
    {
        var envelope = base.Envelope(context);
        envelope["service_tier"] = "default";
        envelope["system_fingerprint"] = "fp_emulator01";
        return envelope;
    }

    protected override void DecorateChunk(CompletionContext context, JsonObject chunk, ChunkRole role)
    {
        if (role != ChunkRole.Usage)
        {
            chunk["usage"] = null;
        }

        var include = context.Request.Body["stream_options"]?["include_obfuscation"];
        if (include is JsonValue v && v.TryGetValue<bool>(out var on) && !on)
        {
            return;
        }

        chunk["obfuscation"] = context.Ids.Alphanumeric(4 + context.Ids.Next(12));
    }
}
