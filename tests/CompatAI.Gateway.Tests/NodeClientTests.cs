using System.Diagnostics;
using System.Text.Json;
using CompatAI.Emulator;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests;

/// <summary>The official <c>openai</c> npm package, run by Node, talks to the real gateway: models, JSON, streams, tools, errors.</summary>
public sealed class NodeClientTests
{
    [Fact]
    public async Task Official_openai_npm_client_works_against_the_gateway()
    {
        // Runs `npm ci` in node/ on first use (once per test run); fails with install instructions without Node/npm.
        await NodePackages.EnsureInstalledAsync();
        var folder = NodePackages.Folder;

        await using var emulator = await ProviderEmulator.StartAsync();
        await using var server = await GatewayServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["CompatAI:Providers:groq:Endpoint"] = emulator.GetEndpoint("groq").ToString(),
                ["CompatAI:Providers:groq:ApiKey"] = "sk-emulator",
                ["CompatAI:Providers:groq:Model"] = "llama-3.3-70b-versatile",
            },
            configure: g => g
            .AddChatClient("tools", TestProviders.Tools(), "any")
            .AddAdapter("faults", TestProviders.Faults()));

        var start = new ProcessStartInfo(NodePackages.Node, [Path.Combine(folder, "gateway-client.mjs"), server.V1.ToString(), "sk-node-client", "groq/llama-3.3-70b-versatile"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"node failed ({process.ExitCode}): {await stderr}\n{await stdout}");

        var result = JsonDocument.Parse(await stdout).RootElement;
        var models = result.GetProperty("models").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Contains("echo/echo-1", models);
        Assert.Contains("tools/any", models);

        Assert.Equal("hello from node", result.GetProperty("completion").GetProperty("content").GetString());
        Assert.Equal("stop", result.GetProperty("completion").GetProperty("finish").GetString());

        var stream = result.GetProperty("stream");
        Assert.StartsWith("Once upon a time", stream.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("stop", stream.GetProperty("finish").GetString());
        Assert.True(stream.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 10);

        var tool = result.GetProperty("toolCall");
        Assert.Equal("tool_calls", tool.GetProperty("finish").GetString());
        Assert.Equal("get_weather", tool.GetProperty("name").GetString());
        Assert.Equal("Oslo", tool.GetProperty("args").GetProperty("city").GetString());
        var streamed = Assert.Single(result.GetProperty("streamedToolCalls").EnumerateArray());
        Assert.Equal("get_weather", streamed.GetProperty("name").GetString());
        Assert.Equal("{\"city\":\"Oslo\"}", streamed.GetProperty("args").GetString());

        Assert.Equal(400, result.GetProperty("badRequest").GetProperty("status").GetInt32());
        Assert.Equal("messages", result.GetProperty("badRequest").GetProperty("param").GetString());
        Assert.Equal(429, result.GetProperty("rateLimited").GetProperty("status").GetInt32());
        Assert.Equal("2", result.GetProperty("rateLimited").GetProperty("retryAfter").GetString());

        Assert.Equal("You said: node via emulator", result.GetProperty("emulator").GetProperty("content").GetString());
        Assert.Equal("You said: node stream via emulator", result.GetProperty("emulatorStream").GetString());

        // A stream that breaks after output started must surface as an error in the client, not a clean end.
        var midStream = result.GetProperty("midStream");
        Assert.Equal(JsonValueKind.String, midStream.GetProperty("error").ValueKind);
        Assert.Contains("broke off", midStream.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
