using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// Perplexity Sonar: top-level <c>citations</c> and <c>search_results</c> (on every stream chunk), stream chunks carry both
/// <c>delta</c> and the accumulated <c>message</c>, <c>&lt;think&gt;</c> in content for sonar-reasoning models, usage with
/// search counters; no tool calling (tools are ignored); rejects non-alternating user/assistant turns.
/// </summary>
internal sealed class PerplexityPersonality : Personality
{
    public override string Name => "perplexity";

    public override IReadOnlyList<string> Models { get; } = ["sonar", "sonar-pro", "sonar-reasoning", "sonar-reasoning-pro", "sonar-deep-research"];

    public override bool SupportsTools => false;

    protected override string OwnedBy => "perplexity";

    public static readonly string[] Citations = ["https://example.com/emulator/source-1", "https://example.com/emulator/source-2"];

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["code"] = statusCode },
    };

    public override JsonObject StatusErrorBody(int statusCode) => statusCode switch
    {
        401 => ErrorBody(401, "Invalid API key provided.", "invalid_api_key"),
        429 => ErrorBody(429, "Rate limit exceeded. Please try again later.", "rate_limit_exceeded"),
        500 => ErrorBody(500, "Internal server error.", "internal_server_error"),
        503 => ErrorBody(503, "Service temporarily unavailable.", "service_unavailable"),
        _ => ErrorBody(statusCode, DefaultMessage(statusCode), DefaultType(statusCode)),
    };

    public override RuleViolation? Validate(ChatRequest request)
    {
        var roles = request.Messages.Select(ChatRequest.RoleOf).SkipWhile(r => r == "system").ToList();
        var alternating = roles.Count > 0 && roles[^1] == "user";
        for (var i = 0; i < roles.Count && alternating; i++)
        {
            alternating = roles[i] == (i % 2 == 0 ? "user" : "assistant");
        }

        return alternating
            ? null
            : new RuleViolation(400, ErrorBody(400,
                "After the (optional) system message(s), user and assistant roles should be alternating.", "invalid_message"));
    }

    protected override bool Reasons(ChatRequest request)
    {
        var model = request.Model ?? string.Empty;
        return model.Contains("reasoning", StringComparison.OrdinalIgnoreCase) || model.Contains("deep-research", StringComparison.OrdinalIgnoreCase);
    }

    protected override bool ReasoningInContent(ChatRequest request) => true;

    protected override string NewCompletionId(IdSource ids) => ids.Uuid();

    private static JsonArray CitationArray() => new([.. Citations.Select(c => (JsonNode)JsonValue.Create(c))]);

    private static JsonArray SearchResults() => new(
    [
        .. Citations.Select((url, i) => (JsonNode)new JsonObject
        {
            ["title"] = $"Emulator source {i + 1}",
            ["url"] = url,
            ["date"] = "2025-01-01",
            ["last_updated"] = "2025-01-02",
            ["snippet"] = string.Empty,
        }),
    ]);

    protected override JsonObject Usage(CompletionContext context) => new()
    {
        ["prompt_tokens"] = context.PromptTokens,
        ["completion_tokens"] = context.CompletionTokens,
        ["total_tokens"] = context.TotalTokens,
        ["search_context_size"] = "low",
        ["citation_tokens"] = 0,
        ["num_search_queries"] = 1,
    };

    private JsonObject Body(CompletionContext context, string objectName, JsonObject choice) => new()
    {
        ["id"] = context.Id,
        ["model"] = context.Model,
        ["created"] = context.Created,
        ["usage"] = Usage(context),
        ["citations"] = CitationArray(),
        ["search_results"] = SearchResults(),
        ["object"] = objectName,
        ["choices"] = new JsonArray(choice),
    };

    public override JsonObject Completion(CompletionContext context) => Body(context, "chat.completion", new JsonObject
    {
        ["index"] = 0,
        ["finish_reason"] = context.FinishReason,
        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = ComposeContent(context) },
        ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Empty },
    });

    public override IEnumerable<SseFrame> Stream(CompletionContext context)
    {
        var soFar = string.Empty;
        foreach (var piece in ContentPieces(context))
        {
            soFar += piece;
            yield return SseFrame.Data(StreamChunk(context, soFar, piece, null));
        }

        yield return SseFrame.Data(StreamChunk(context, soFar, string.Empty, context.FinishReason));
        yield return SseFrame.Done;
    }

    private JsonObject StreamChunk(CompletionContext context, string accumulated, string piece, string? finishReason) =>
        Body(context, "chat.completion.chunk", new JsonObject
        {
            ["index"] = 0,
            ["finish_reason"] = finishReason,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = accumulated },
            ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = piece },
        });
}
