using System.Diagnostics;
using System.Net;

namespace CompatAI.Emulator.Tests;

public sealed class ProgramModeTests
{
    [Fact]
    public async Task Program_prints_base_url_and_personalities_then_serves_requests()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "CompatAI.Emulator.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("--host");
        start.ArgumentList.Add("127.0.0.1");

        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var banner = await process.StandardOutput.ReadLineAsync(timeout.Token);
            var lines = new List<string>();
            for (var i = 0; i < 9; i++)
            {
                lines.Add((await process.StandardOutput.ReadLineAsync(timeout.Token))!);
            }

            Assert.StartsWith("CompatAI provider emulator listening on http://127.0.0.1:", banner, StringComparison.Ordinal);
            var baseUrl = new Uri(banner!["CompatAI provider emulator listening on ".Length..]);
            Assert.Contains(lines, l => l.Contains(new Uri(baseUrl, "groq/v1/").ToString(), StringComparison.Ordinal));

            var reply = await Wire.SendAsync(HttpMethod.Post, new Uri(baseUrl, "openai/v1/chat/completions"), Wire.UserChat("gpt-4o-mini", "from a process"), cancellationToken: timeout.Token);
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.Equal("You said: from a process", reply.Json["choices"]![0]!["message"]!["content"].S());
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Program_rejects_unknown_arguments_with_usage()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CompatAI.Emulator.dll"));
        start.ArgumentList.Add("--bogus");

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Unknown or incomplete argument '--bogus'", error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }
}
