namespace CompatAI.Emulator;

/// <summary>A tool call the emulator decided to answer with (the id is chosen by the personality).</summary>
internal sealed record PlannedToolCall(string Name, string Arguments);
