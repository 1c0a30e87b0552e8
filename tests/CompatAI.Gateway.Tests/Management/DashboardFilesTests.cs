using System.Net;
using System.Text.RegularExpressions;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests.Management;

/// <summary>The dashboard's files: served from the assembly, nothing from a CDN, and the uPlot build is npm's own.</summary>
public sealed partial class DashboardFilesTests
{
    [Fact]
    public async Task The_page_and_every_file_it_references_are_served_locally()
    {
        await using var setup = await ManagementSetup.StartAsync();
        using (var redirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = setup.Server.BaseAddress })
        {
            using var response = await redirect.GetAsync("dashboard");
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/dashboard/", response.Headers.Location?.ToString());
        }

        using var page = await setup.Http.GetAsync("dashboard/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        var references = Reference().Matches(html).Select(m => m.Groups["url"].Value).Where(u => !u.StartsWith("data:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["uPlot.min.css", "dashboard.css", "uPlot.iife.min.js", "dashboard.js"], references);
        foreach (var file in references)
        {
            using var response = await setup.Http.GetAsync("dashboard/" + file);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch(ExternalUrl(), text);
        }

        using var missing = await setup.Http.GetAsync("dashboard/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_bundled_uplot_files_are_the_npm_package_files()
    {
        await NodePackages.EnsureInstalledAsync();
        var dist = Path.Combine(NodePackages.Folder, "node_modules", "uplot");
        var assets = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(NodePackages.Folder)))!, "src", "CompatAI.Gateway", "Dashboard", "assets");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dist, "dist", "uPlot.iife.min.js")), await File.ReadAllBytesAsync(Path.Combine(assets, "uPlot.iife.min.js")));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dist, "dist", "uPlot.min.css")), await File.ReadAllBytesAsync(Path.Combine(assets, "uPlot.min.css")));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dist, "LICENSE")), await File.ReadAllBytesAsync(Path.Combine(assets, "uPlot.LICENSE.txt")));
    }

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]+)\"")]
    private static partial Regex Reference();

    // A script or style that loads from elsewhere (a CDN); uPlot's own banner comment names its GitHub page, which loads nothing.
    [GeneratedRegex(@"(?:import\s*\(|fetch\(|src\s*=|url\()\s*['""]?https?://")]
    private static partial Regex ExternalUrl();
}
