using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace CompatAI.Cli.Commands;

/// <summary><c>compatai probe</c>: learns an unknown endpoint's rules and writes the provider profile that describes it.</summary>
internal static class ProbeCommand
{
    public static Command Create(CliContext context)
    {
        var endpoint = new Option<Uri?>("--endpoint", "-e")
        {
            Description = "Base URL of the endpoint to probe (the part before /chat/completions).",
            Required = true,
            CustomParser = CommonOptions.ParseUrl,
        };
        var model = new Option<string?>("--model", "-m") { Description = "Model to probe with; defaults to the first one GET /models lists. Use a reasoning model to learn where reasoning arrives." };
        var apiKey = new Option<string?>("--api-key") { Description = "API key; defaults to the COMPATAI_API_KEY environment variable." };
        var name = new Option<string>("--name") { Description = "Name of the profile to write.", DefaultValueFactory = _ => "probed" };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Also write the profile as a catalog document ({\"providers\":[...]}) to this file." };
        var json = new Option<bool>("--json") { Description = "Write the findings and the profile as JSON." };
        var command = new Command("probe", "Run a battery of small requests against an unknown OpenAI-compatible endpoint and write the ProviderProfile that describes it.")
        {
            endpoint, model, apiKey, name, output, json,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            context, result.GetValue(endpoint)!, result.GetValue(model), result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("COMPATAI_API_KEY"),
            result.GetValue(name)!, result.GetValue(output), result.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Uri endpoint, string? model, string? apiKey, string name, FileInfo? file, bool json, CancellationToken cancellationToken)
    {
        using var http = new EndpointClient();
        var prober = new EndpointProber(http, endpoint, apiKey, model, name.ToLowerInvariant());
        var report = context.IsTerminal && !json
            ? await AnsiConsole.Status().StartAsync($"Probing {DoctorRunner.Redact(endpoint)}…", _ => prober.RunAsync(cancellationToken))
            : await prober.RunAsync(cancellationToken);

        if (file is not null && report.CatalogDocument() is { } document)
        {
            await File.WriteAllTextAsync(file.FullName, document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        }

        if (json)
        {
            await JsonOutput.WriteAsync(context.Output, report.ToJson());
        }
        else
        {
            var width = report.Findings.Count == 0 ? 0 : report.Findings.Max(f => f.Name.Length);
            await context.Output.WriteLineAsync($"compatai probe: {report.Endpoint}, model {report.Model ?? "(none)"}");
            foreach (var finding in report.Findings)
            {
                await context.Output.WriteLineAsync($"  {finding.Name.PadRight(width)}  {finding.Result}");
            }

            if (report.CatalogDocument() is { } catalog)
            {
                await context.Output.WriteLineAsync("profile (load with ProviderCatalog.FromJson, or put the inner object under CompatAI:Profiles:<name>):");
                await JsonOutput.WriteAsync(context.Output, catalog);
            }
        }

        if (report.Error is not null)
        {
            await context.Error.WriteLineAsync($"probe stopped: {report.Error}");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }
}
