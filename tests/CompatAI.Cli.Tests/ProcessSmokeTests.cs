using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CompatAI.Cli.Tests;

/// <summary>The one test that starts the real executable: arguments, exit code and redirected (non-terminal) output.</summary>
[Collection(CliCollection.Name)]
public sealed class ProcessSmokeTests(CliFixture fixture)
{
    [Fact]
    public async Task Doctor_runs_as_a_process_and_writes_json_when_redirected()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "CompatAI.Cli.dll"), "doctor", "--provider", "vllm",
                     "--endpoint", fixture.Open.GetEndpoint("vllm").AbsoluteUri, "--model", "meta-llama/Llama-3.1-8B-Instruct", "--json",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        var output = await stdout;
        Assert.True(process.ExitCode == 0, output + await stderr);
        var report = JsonNode.Parse(output)!;
        Assert.True((bool)report["passed"]!);
        Assert.Equal("none set; provider 'vllm' does not require one", (string)report["checks"]![1]!["detail"]!);
    }
}
