using System.Globalization;
using System.Runtime.InteropServices;

namespace CompatAI.Emulator;

/// <summary>Program mode: <c>dotnet run --project src/CompatAI.Emulator -- --port 8089 [--host 127.0.0.1] [--api-key KEY] [--chunk-delay-ms N]</c>.</summary>
internal static class EmulatorProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = new ProviderEmulatorOptions { Port = 8089 };
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port):
                    options.Port = port;
                    i++;
                    break;
                case "--host" when value is not null:
                    options.Host = value;
                    i++;
                    break;
                case "--api-key" when value is not null:
                    options.RequiredApiKey = value;
                    i++;
                    break;
                case "--chunk-delay-ms" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms):
                    options.StreamChunkDelay = TimeSpan.FromMilliseconds(ms);
                    i++;
                    break;
                case "--help" or "-h":
                    PrintUsage(Console.Out);
                    return 0;
                default:
                    await Console.Error.WriteLineAsync($"Unknown or incomplete argument '{args[i]}'.").ConfigureAwait(false);
                    PrintUsage(Console.Error);
                    return 2;
            }
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            stop.Cancel();
        });

        var emulator = await ProviderEmulator.StartAsync(options, stop.Token).ConfigureAwait(false);
        await using var stopEmulator = emulator.ConfigureAwait(false);
        Console.WriteLine($"CompatAI provider emulator listening on {emulator.BaseUrl}");
        foreach (var personality in emulator.Personalities)
        {
            Console.WriteLine($"  {personality,-11} {emulator.GetEndpoint(personality)}");
        }

        Console.WriteLine("Fault header: X-Emulator-Fault: status=429;retry-after=2 | reset | hang | slow-first-byte=500ms | cut-after=3 | error-after=2");
        Console.WriteLine("Press Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C / SIGTERM.
        }

        return 0;
    }

    private static void PrintUsage(TextWriter writer) =>
        writer.WriteLine("Usage: CompatAI.Emulator [--port 8089] [--host 127.0.0.1] [--api-key KEY] [--chunk-delay-ms N]");
}
