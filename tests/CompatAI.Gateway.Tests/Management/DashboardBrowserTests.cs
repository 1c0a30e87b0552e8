using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests.Management;

/// <summary>
/// The dashboard in a real browser: headless Chromium (Debian's <c>chromium</c>) driven by <c>playwright-core</c>
/// (<c>node/dashboard-test.mjs</c>) against the real gateway with two emulator-backed providers. Screenshots land in
/// <c>artifacts/dashboard-*.png</c> at the repository root.
/// </summary>
public sealed class DashboardBrowserTests
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Dashboard_shows_health_counts_success_rate_cost_and_an_open_breaker()
    {
        var chromium = FindChromium();
        await NodePackages.EnsureInstalledAsync();
        var artifacts = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(NodePackages.Folder)))!, "artifacts");
        await using var setup = await ManagementSetup.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Management:MonthlyBudgets:beta"] = "0.001",
            // A router served as the model 'router', ranking by configured quality: the routing panel shows its strategy and choice.
            ["CompatAI:Routing:Strategy"] = "Quality",
            ["CompatAI:Routing:Candidates:0:Provider"] = "beta",
            ["CompatAI:Routing:Candidates:0:Quality"] = "0.5",
            ["CompatAI:Routing:Candidates:1:Provider"] = "alpha",
            ["CompatAI:Routing:Candidates:1:Quality"] = "0.9",
        });

        var start = new ProcessStartInfo(NodePackages.Node, [Path.Combine(NodePackages.Folder, "dashboard-test.mjs"), setup.Server.BaseAddress.ToString(), chromium, artifacts, "alpha,beta"])
        {
            WorkingDirectory = NodePackages.Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(NodeTimeout);
        try
        {
            var initial = await ReadPhaseAsync(process, stderr, timeout.Token);
            Assert.Equal("initial", initial.GetProperty("phase").GetString());
            foreach (var name in new[] { "alpha", "beta" })
            {
                var row = initial.GetProperty("providers").GetProperty(name);
                Assert.Equal("healthy", row.GetProperty("state").GetString());
                Assert.Equal("0 req", row.GetProperty("requests").GetString());
                Assert.Equal("0 USD", row.GetProperty("cost").GetString());
            }

            Assert.Equal("alpha", initial.GetProperty("currentChoice").GetString());
            Assert.Equal("quality", initial.GetProperty("routerStrategy").GetString());
            Assert.Equal("alpha", initial.GetProperty("routerChoice").GetString());

            // Traffic: 3 answers from alpha and 2 from beta directly; then alpha fails 4 times inside the fallback chain
            // (beta answers each time) which opens alpha's breaker; a 5th chain request skips alpha.
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(200, (await setup.ChatAsync($"alpha/{ManagementSetup.AlphaModel}", "direct alpha")).Status);
            }

            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(200, (await setup.ChatAsync($"beta/{ManagementSetup.BetaModel}", "direct beta")).Status);
            }

            setup.FailAlpha(4);
            for (var i = 0; i < 5; i++)
            {
                var (status, body) = await setup.ChatAsync("fallback", "through the chain");
                Assert.True(status == 200, body);
            }

            var expectations = JsonSerializer.Serialize(new
            {
                providers = new Dictionary<string, object>
                {
                    ["alpha"] = new { state = "unhealthy", requests = 7 },
                    ["beta"] = new { state = "healthy", requests = 7, costAbove = 0, chartsAtLeast = 2 },
                },
                decisionsAtLeast = 5,
            });
            await process.StandardInput.WriteLineAsync(expectations);
            await process.StandardInput.FlushAsync();

            var final = await ReadPhaseAsync(process, stderr, timeout.Token);
            Assert.True(final.GetProperty("phase").GetString() == "final", $"the page did not reach the expected figures: {final}\n{stderr}");
            var alpha = final.GetProperty("providers").GetProperty("alpha");
            var beta = final.GetProperty("providers").GetProperty("beta");
            Assert.Equal("unhealthy", alpha.GetProperty("state").GetString());
            Assert.Equal("7 req", alpha.GetProperty("requests").GetString());
            Assert.Equal("42.9 %", alpha.GetProperty("successRate").GetString()); // 3 of 7 calls reached alpha and succeeded
            Assert.Equal("7 req", beta.GetProperty("requests").GetString());
            Assert.Equal("100.0 %", beta.GetProperty("successRate").GetString());
            Assert.EndsWith(" USD", beta.GetProperty("cost").GetString(), StringComparison.Ordinal);
            Assert.Equal("beta", final.GetProperty("currentChoice").GetString());
            Assert.StartsWith("beta (month): 0.0000", Assert.Single(final.GetProperty("budgets").EnumerateArray()).GetString(), StringComparison.Ordinal);
            Assert.Contains(" USD of 0.001000 USD (", final.GetProperty("budgets")[0].GetString(), StringComparison.Ordinal);
            Assert.Contains(final.GetProperty("decisions").EnumerateArray(), d => d.GetString()!.Contains("alpha: circuit_open", StringComparison.Ordinal));
            Assert.False(final.GetProperty("phoneOverflowX").GetBoolean(), "the page scrolls sideways at phone width");
            Assert.NotEqual("rgb(246, 247, 249)", final.GetProperty("darkBackground").GetString());
            Assert.Empty(final.GetProperty("consoleErrors").EnumerateArray());
            foreach (var shot in new[] { "dashboard-initial.png", "dashboard-1280.png", "dashboard-phone.png", "dashboard-dark.png" })
            {
                Assert.True(new FileInfo(Path.Combine(artifacts, shot)).Length > 1000, $"{shot} was not written to {artifacts}");
            }

            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"node exited with {process.ExitCode}: {stderr}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<JsonElement> ReadPhaseAsync(Process process, StringBuilder stderr, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                await process.WaitForExitAsync(cancellationToken);
                Assert.Fail($"the browser script ended ({process.ExitCode}) before reporting: {stderr}");
            }

            if (line.StartsWith('{'))
            {
                return JsonDocument.Parse(line).RootElement.Clone();
            }
        }
    }

    /// <summary>Debian's chromium (CI installs it: apt-get install chromium), or CHROMIUM_PATH.</summary>
    private static string FindChromium()
    {
        var configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        foreach (var candidate in new[] { configured, "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("The dashboard browser test needs Chromium and found none (looked at $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser). " +
            "Install Debian's package: 'sudo apt-get update && sudo apt-get install -y chromium' (.ci/run does this itself), or set CHROMIUM_PATH.");
        return "";
    }
}
