namespace CompatAI.Emulator;

/// <summary>The provider-neutral answer to a request: echo text, tool-result summary, or tool calls.</summary>
internal sealed record AnswerPlan(string? Text, IReadOnlyList<PlannedToolCall> ToolCalls, int PromptTokens)
{
    public bool IsToolCall => ToolCalls.Count > 0;
}
