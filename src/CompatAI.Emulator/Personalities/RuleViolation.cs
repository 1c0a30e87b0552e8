using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>A request the real provider would reject: status code and the provider's error body.</summary>
internal sealed record RuleViolation(int StatusCode, JsonObject Body);
