using System.Text.Json.Serialization;

namespace CompatAI.Gateway.Wire;

// OpenAI chat-completions response shapes, written with source-generated serialization (GatewayJsonContext).

internal sealed class ChatCompletionDto
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("object")] public string Object => "chat.completion";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("choices")] public required ChoiceDto[] Choices { get; init; }
    [JsonPropertyName("usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public UsageDto? Usage { get; init; }
}

internal sealed class ChoiceDto
{
    [JsonPropertyName("index")] public int Index { get; init; }
    [JsonPropertyName("message")] public required MessageDto Message { get; init; }
    [JsonPropertyName("finish_reason")] public string? FinishReason { get; init; }
    [JsonPropertyName("logprobs")] public object? Logprobs => null;
}

internal sealed class MessageDto
{
    [JsonPropertyName("role")] public string Role => "assistant";
    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("reasoning_content")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ReasoningContent { get; init; }
    [JsonPropertyName("tool_calls")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ToolCallDto[]? ToolCalls { get; init; }
    [JsonPropertyName("refusal")] public string? Refusal => null;
}

internal sealed class ToolCallDto
{
    [JsonPropertyName("index")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Index { get; init; }
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("type")] public string Type => "function";
    [JsonPropertyName("function")] public required FunctionDto Function { get; init; }
}

internal sealed class FunctionDto
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("arguments")] public required string Arguments { get; init; }
}

internal sealed class ChunkDto
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("object")] public string Object => "chat.completion.chunk";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("choices")] public required ChunkChoiceDto[] Choices { get; init; }
    [JsonPropertyName("usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public UsageDto? Usage { get; init; }
}

internal sealed class ChunkChoiceDto
{
    [JsonPropertyName("index")] public int Index { get; init; }
    [JsonPropertyName("delta")] public required DeltaDto Delta { get; init; }
    [JsonPropertyName("finish_reason")] public string? FinishReason { get; init; }
    [JsonPropertyName("logprobs")] public object? Logprobs => null;
}

internal sealed class DeltaDto
{
    [JsonPropertyName("role")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Role { get; init; }
    [JsonPropertyName("content")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Content { get; init; }
    [JsonPropertyName("reasoning_content")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ReasoningContent { get; init; }
    [JsonPropertyName("tool_calls")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ToolCallDto[]? ToolCalls { get; init; }
}

internal sealed class UsageDto
{
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; init; }
    [JsonPropertyName("total_tokens")] public long TotalTokens { get; init; }
    [JsonPropertyName("prompt_tokens_details")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public PromptTokensDetailsDto? PromptTokensDetails { get; init; }
    [JsonPropertyName("completion_tokens_details")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public CompletionTokensDetailsDto? CompletionTokensDetails { get; init; }
}

internal sealed class PromptTokensDetailsDto
{
    [JsonPropertyName("cached_tokens")] public long CachedTokens { get; init; }
}

internal sealed class CompletionTokensDetailsDto
{
    [JsonPropertyName("reasoning_tokens")] public long ReasoningTokens { get; init; }
}

internal sealed class ModelListDto
{
    [JsonPropertyName("object")] public string Object => "list";
    [JsonPropertyName("data")] public required ModelDto[] Data { get; init; }
}

internal sealed class ModelDto
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("object")] public string Object => "model";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("owned_by")] public required string OwnedBy { get; init; }
}

internal sealed class ErrorBodyDto
{
    [JsonPropertyName("error")] public required ErrorDto Error { get; init; }
}

internal sealed class ErrorDto
{
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("param")] public string? Param { get; init; }
    [JsonPropertyName("code")] public string? Code { get; init; }
    [JsonPropertyName("provider")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Provider { get; init; }
}

internal sealed class HealthDto
{
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("providers")] public required string[] Providers { get; init; }

    /// <summary>Why the status is not <c>ok</c> (for example Redis unreachable); absent when it is.</summary>
    [JsonPropertyName("reason")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Reason { get; init; }

    /// <summary>Whether state is shared with other replicas (<c>redis</c>) or kept in this process; absent in single-process mode.</summary>
    [JsonPropertyName("shared_state")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SharedState { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(ChatCompletionDto))]
[JsonSerializable(typeof(ChunkDto))]
[JsonSerializable(typeof(ModelListDto))]
[JsonSerializable(typeof(ErrorBodyDto))]
[JsonSerializable(typeof(HealthDto))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;

/// <summary>The gateway's JSON context with relaxed escaping, so messages keep their quotes and angle brackets readable.</summary>
internal static class GatewayJson
{
    public static GatewayJsonContext Context { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
