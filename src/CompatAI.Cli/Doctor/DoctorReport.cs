using System.Text.Json.Nodes;

namespace CompatAI.Cli;

/// <summary>The doctor's findings: the connection it checked and one result per check.</summary>
/// <param name="Provider">The provider name.</param>
/// <param name="Endpoint">The base URL checked (without user info).</param>
/// <param name="Model">The model checked.</param>
/// <param name="Checks">The results, in the order they ran.</param>
internal sealed record DoctorReport(string Provider, string? Endpoint, string? Model, IReadOnlyList<CheckResult> Checks)
{
    /// <summary>0 when every check passed, 1 when one failed or was skipped, 2 when some only warned.</summary>
    public int ExitCode =>
        Checks.Any(c => c.Status is CheckStatus.Fail or CheckStatus.Skip) ? ExitCodes.Failure
        : Checks.Any(c => c.Status == CheckStatus.Warn) ? ExitCodes.Warnings
        : ExitCodes.Success;

    public JsonObject ToJson() => new()
    {
        ["provider"] = Provider,
        ["endpoint"] = Endpoint,
        ["model"] = Model,
        ["passed"] = ExitCode == ExitCodes.Success,
        ["exitCode"] = ExitCode,
        ["checks"] = CheckTableWriter.ToJson(Checks),
    };

    public string Summary() =>
        $"{Checks.Count(c => c.Status == CheckStatus.Pass)} passed, {Checks.Count(c => c.Status == CheckStatus.Warn)} warned, " +
        $"{Checks.Count(c => c.Status == CheckStatus.Fail)} failed, {Checks.Count(c => c.Status == CheckStatus.Skip)} skipped";
}
