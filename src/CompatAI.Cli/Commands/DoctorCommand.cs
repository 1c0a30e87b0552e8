using System.CommandLine;
using Spectre.Console;

namespace CompatAI.Cli.Commands;

/// <summary><c>compatai doctor</c>: checks a provider connection end to end and says how to fix what fails.</summary>
internal static class DoctorCommand
{
    public static Command Create(CliContext context)
    {
        var common = new CommonOptions();
        var command = new Command("doctor", "Check configuration, key, reachability, auth style, base URL, model, chat, streaming and tool calling; exit 0 only when all pass.");
        common.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(context, common.Read(result), result.GetValue(common.Json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ConnectionRequest request, bool json, CancellationToken cancellationToken)
    {
        var settings = ConnectionResolver.Resolve(request);
        DoctorReport report;
        if (context.IsTerminal && !json)
        {
            report = await AnsiConsole.Status().StartAsync("Checking configuration…", status =>
                new DoctorRunner(settings, text => status.Status(text)).RunAsync(cancellationToken));
        }
        else
        {
            report = await new DoctorRunner(settings).RunAsync(cancellationToken);
        }

        if (json)
        {
            await JsonOutput.WriteAsync(context.Output, report.ToJson());
        }
        else if (context.IsTerminal)
        {
            AnsiConsole.MarkupLine($"[bold]compatai doctor[/] provider [blue]{Markup.Escape(report.Provider)}[/], endpoint {Markup.Escape(report.Endpoint ?? "(none)")}, model {Markup.Escape(report.Model ?? "(none)")}");
            CheckTableWriter.WriteTable(AnsiConsole.Console, report.Checks);
            AnsiConsole.MarkupLine(Markup.Escape(report.Summary()));
        }
        else
        {
            await context.Output.WriteLineAsync($"compatai doctor: provider {report.Provider}, endpoint {report.Endpoint ?? "(none)"}, model {report.Model ?? "(none)"}");
            await CheckTableWriter.WritePlainAsync(context.Output, report.Checks);
            await context.Output.WriteLineAsync(report.Summary());
        }

        return report.ExitCode;
    }
}
