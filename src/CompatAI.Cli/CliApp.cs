using System.CommandLine;
using CompatAI.Cli.Commands;

namespace CompatAI.Cli;

/// <summary>The <c>compatai</c> command line: builds the commands and runs one against the given writers, in-process.</summary>
internal static class CliApp
{
    /// <summary>Parses <paramref name="args"/> and runs the command.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="output">Standard output; when it is the console and not redirected, tables and progress are drawn.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="input">Standard input, read by the interactive chat.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The exit code: 0 success, 1 failure, 2 warnings only (doctor), 64 bad usage.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader? input = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var context = new CliContext(output, error, input ?? TextReader.Null, terminal);
        var root = new RootCommand("compatai: check, explore and probe OpenAI-compatible services with CompatAI.")
        {
            DoctorCommand.Create(context),
            ModelsCommand.Create(context),
            ChatCommand.Create(context),
            ProbeCommand.Create(context),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync(parseError.Message);
            }

            await error.WriteLineAsync("Run 'compatai --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }
}
