using System.Text.Json.Nodes;

namespace CompatAI.Cli;

/// <summary>One line of the doctor's table.</summary>
/// <param name="Name">Short check name, for example <c>auth</c>.</param>
/// <param name="Status">The outcome.</param>
/// <param name="Detail">What was seen.</param>
/// <param name="Fix">What to change, for warnings and failures.</param>
internal sealed record CheckResult(string Name, CheckStatus Status, string Detail, string? Fix = null)
{
    public static CheckResult Pass(string name, string detail) => new(name, CheckStatus.Pass, detail);

    public static CheckResult Warn(string name, string detail, string? fix = null) => new(name, CheckStatus.Warn, detail, fix);

    public static CheckResult Fail(string name, string detail, string fix) => new(name, CheckStatus.Fail, detail, fix);

    public static CheckResult Skip(string name, string reason) => new(name, CheckStatus.Skip, reason);

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["status"] = Status.ToString().ToLowerInvariant(),
        ["detail"] = Detail,
        ["fix"] = Fix,
    };
}
