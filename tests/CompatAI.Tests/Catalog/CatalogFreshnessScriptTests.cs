using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CompatAI;

namespace CompatAI.Tests.Catalog;

/// <summary><c>eng/catalog-freshness.mjs</c>, run with Node as CI runs it: a report of stale profiles that never fails.</summary>
public sealed class CatalogFreshnessScriptTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("node", [Path.Combine(RepositoryRoot(), "eng", "catalog-freshness.mjs"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start; install Node.js to run the catalog freshness script.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True((await error).Length == 0, "stderr: " + await error);
        return (process.ExitCode, await output);
    }

    [Fact]
    public async Task Lists_profiles_verified_too_long_ago_or_never_and_exits_0()
    {
        var catalog = Path.Combine(Path.GetTempPath(), $"compatai-freshness-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(catalog, """
            {
              // comments and URLs inside strings ("https://x.example//y") must survive
              "providers": [
                { "name": "fresh", "verified": "2027-01-10", "sources": ["https://x.example//y"], },
                { "name": "old", "verified": "2026-08-01" /* 212 days before --today */ },
                { "name": "unverified" },
                { "name": "gone", "retiredMessage": "shut down" },
              ],
            }
            """);
        try
        {
            var (exitCode, output) = await RunAsync("--catalog", catalog, "--today", "2027-03-01", "--json");

            Assert.Equal(0, exitCode);
            var report = JsonDocument.Parse(output).RootElement;
            Assert.Equal(1, report.GetProperty("fresh").GetInt32());
            Assert.Equal(["old"], report.GetProperty("stale").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["unverified"], report.GetProperty("never").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("catalog freshness: 1 of 3 profiles verified within 120 days; 1 stale (old 2026-08-01); 1 never verified", report.GetProperty("summary").GetString());
        }
        finally
        {
            File.Delete(catalog);
        }
    }

    [Fact]
    public async Task Reads_the_built_in_catalog_like_the_library_does()
    {
        var (exitCode, output) = await RunAsync("--json", "--today", "2026-12-01");

        Assert.Equal(0, exitCode);
        var profiles = JsonDocument.Parse(output).RootElement.GetProperty("profiles").EnumerateArray().ToList();
        var live = ProviderCatalog.Default.Profiles.Where(p => p.RetiredMessage is null).ToList();
        Assert.Equal(live.Select(p => p.Name).Order(StringComparer.Ordinal), profiles.Select(p => p.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        foreach (var profile in live)
        {
            var row = profiles.Single(p => p.GetProperty("name").GetString() == profile.Name);
            var verified = row.GetProperty("verified");
            Assert.Equal(profile.Verified?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), verified.ValueKind == JsonValueKind.Null ? null : verified.GetString());
        }
    }

    [Fact]
    public async Task A_catalog_it_cannot_read_is_reported_not_failed()
    {
        var (exitCode, output) = await RunAsync("--catalog", Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json"));

        Assert.Equal(0, exitCode);
        Assert.StartsWith("catalog freshness: not checked (", output.Trim(), StringComparison.Ordinal);
    }

    private static string RepositoryRoot([CallerFilePath] string callerFile = "")
    {
        var directory = Path.GetDirectoryName(callerFile);
        while (directory is not null && !File.Exists(Path.Combine(directory, "CompatAI.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("Cannot find the repository root.");
    }
}
