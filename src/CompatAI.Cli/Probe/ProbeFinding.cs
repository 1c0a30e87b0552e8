using System.Text.Json.Nodes;

namespace CompatAI.Cli;

/// <summary>One observation of the probe: what was tried and what the service did.</summary>
/// <param name="Name">What was probed, for example <c>param n</c>.</param>
/// <param name="Result">What happened, for example <c>rejected (HTTP 400: ...)</c>.</param>
internal sealed record ProbeFinding(string Name, string Result)
{
    public JsonObject ToJson() => new() { ["name"] = Name, ["result"] = Result };
}
