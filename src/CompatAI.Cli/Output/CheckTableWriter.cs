using System.Text.Json.Nodes;
using Spectre.Console;

namespace CompatAI.Cli;

/// <summary>Writes check results as a Spectre table on a terminal, as aligned plain text otherwise, or as JSON.</summary>
internal static class CheckTableWriter
{
    public static async Task WritePlainAsync(TextWriter output, IReadOnlyList<CheckResult> checks)
    {
        var width = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
        {
            await output.WriteLineAsync($"{Label(check.Status)}  {check.Name.PadRight(width)}  {check.Detail}");
            if (check.Fix is not null)
            {
                await output.WriteLineAsync($"{new string(' ', 6 + width)}  fix: {check.Fix}");
            }
        }
    }

    public static void WriteTable(IAnsiConsole console, IReadOnlyList<CheckResult> checks)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Check").AddColumn("Result").AddColumn("Detail").AddColumn("Fix");
        foreach (var check in checks)
        {
            var colour = check.Status switch
            {
                CheckStatus.Pass => "green",
                CheckStatus.Warn => "yellow",
                CheckStatus.Fail => "red",
                _ => "grey",
            };
            table.AddRow(
                new Markup(Markup.Escape(check.Name)),
                new Markup($"[{colour}]{Label(check.Status)}[/]"),
                new Markup(Markup.Escape(check.Detail)),
                new Markup(Markup.Escape(check.Fix ?? string.Empty)));
        }

        console.Write(table);
    }

    public static JsonArray ToJson(IEnumerable<CheckResult> checks) => [.. checks.Select(c => (JsonNode)c.ToJson())];

    public static string Label(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "PASS",
        CheckStatus.Warn => "WARN",
        CheckStatus.Fail => "FAIL",
        _ => "SKIP",
    };
}
