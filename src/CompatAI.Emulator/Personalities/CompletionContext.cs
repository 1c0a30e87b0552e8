namespace CompatAI.Emulator;

/// <summary>Everything a personality needs to render one answer (JSON or SSE).</summary>
internal sealed class CompletionContext
{
    public required ChatRequest Request { get; init; }

    public required IdSource Ids { get; init; }

    public required string Id { get; init; }

    public required long Created { get; init; }

    public required string Model { get; init; }

    /// <summary>Answer text (null when the answer is tool calls).</summary>
    public required string? Text { get; init; }

    /// <summary>Reasoning text when the personality/model reasons, else null.</summary>
    public required string? Reasoning { get; init; }

    public required IReadOnlyList<(string Id, PlannedToolCall Call)> ToolCalls { get; init; }

    public required string FinishReason { get; init; }

    public required int PromptTokens { get; init; }

    public int ReasoningTokens => TextPieces.CountWords(Reasoning);

    public int CompletionTokens =>
        TextPieces.CountWords(Text) + ReasoningTokens + (ToolCalls.Count * 10) + 1;

    public int TotalTokens => PromptTokens + CompletionTokens;

    public bool HasToolCalls => ToolCalls.Count > 0;
}
