using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CompatAI.Gateway.Tests;

/// <summary>The gateway executable starts with no configuration at all, on PORT/HOST, serving the echo provider and its dashboard.</summary>
public sealed class StandaloneProcessTests
{
    [Fact]
    public async Task Starts_with_no_configuration_and_answers_with_echo()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "CompatAI.Gateway.dll");
        Assert.True(File.Exists(dll), $"gateway not found at {dll}");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["HOST"] = "127.0.0.1";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        start.Environment.Remove("DOTNET_URLS");
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await WaitUntilHealthyAsync(http, process, output);

            var models = JsonDocument.Parse(await http.GetStringAsync("v1/models")).RootElement.GetProperty("data");
            Assert.Equal(["echo/echo-1", "echo/story-1"], models.EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray());

            using var response = await http.PostAsync("v1/chat/completions", new StringContent("""{"model":"echo/echo-1","messages":[{"role":"user","content":"standalone works"}]}""", Encoding.UTF8, "application/json"));
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("standalone works", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

            // The management API and dashboard are on, loopback only, and show the echo provider's live figures.
            using var page = await http.GetAsync("dashboard/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("uPlot.iife.min.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var echo = JsonDocument.Parse(await http.GetStringAsync("v1/performance")).RootElement.GetProperty("data")
                .EnumerateArray().Single(s => s.GetProperty("provider").GetString() == "echo" && s.GetProperty("model").GetString() == "echo-1");
            Assert.Equal(1, echo.GetProperty("windows").GetProperty("1m").GetProperty("successes").GetInt64());
            var providers = JsonDocument.Parse(await http.GetStringAsync("v1/providers")).RootElement.GetProperty("data");
            Assert.Equal("healthy", Assert.Single(providers.EnumerateArray()).GetProperty("health").GetProperty("state").GetString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task WaitUntilHealthyAsync(HttpClient http, Process process, StringBuilder output)
    {
        HttpRequestException? lastError = null;
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (process.HasExited)
            {
                Assert.Fail($"gateway exited with {process.ExitCode}: {output}");
            }

            try
            {
                using var health = await http.GetAsync("healthz");
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                lastError = ex; // not listening yet: poll again
            }

            await Task.Delay(100);
        }

        Assert.Fail($"gateway did not become healthy (last error: {lastError?.Message}): {output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
