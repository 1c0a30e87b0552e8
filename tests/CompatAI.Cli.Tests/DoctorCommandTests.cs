using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace CompatAI.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class DoctorCommandTests(CliFixture fixture)
{
    private static readonly string[] AllChecks = ["configuration", "api-key", "reachability", "base-url", "auth", "model", "chat", "streaming", "tools"];

    [Fact]
    public async Task Healthy_configuration_passes_every_check_and_exits_zero()
    {
        var config = Cli.ProviderConfig("groq", fixture.Keyed.GetEndpoint("groq"), "llama-3.3-70b-versatile");

        var run = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config, "--json");

        Assert.Equal(0, run.ExitCode);
        var checks = run.Json["checks"]!.AsArray().Select(c => c!.AsObject()).ToList();
        Assert.Equal(AllChecks, checks.Select(c => (string)c["name"]!));
        Assert.All(checks, c => Assert.Equal("pass", (string)c["status"]!));
        Assert.True((bool)run.Json["passed"]!);
        Assert.Contains("CompatAI:Providers:groq found", (string)run.Check("configuration")["detail"]!);
        Assert.Contains("tool call received (get_time)", (string)run.Check("tools")["detail"]!);
    }

    [Fact]
    public async Task The_key_is_never_printed()
    {
        var config = Cli.ProviderConfig("groq", fixture.Keyed.GetEndpoint("groq"), "llama-3.3-70b-versatile");

        var json = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config, "--json");
        var text = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config);

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("set (from CompatAI:Providers:groq:ApiKey; value not shown)", text.Output);
        Assert.DoesNotContain(CliFixture.Key, json.Output + json.Error + text.Output + text.Error);
    }

    [Fact]
    public async Task Refused_connection_fails_reachability_and_skips_the_rest()
    {
        var port = ClosedLoopbackPort();
        var config = Cli.ProviderConfig("groq", new Uri($"http://127.0.0.1:{port}/v1"), "llama-3.3-70b-versatile");

        var run = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config);
        var json = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config, "--json");
        Cli.Keep("refused-connection", run);

        Assert.Equal(1, run.ExitCode);
        Assert.Matches($@"FAIL  reachability +connection to 127\.0\.0\.1:{port} refused", run.Output);
        Assert.Contains($"fix: Nothing listens on 127.0.0.1:{port}.", run.Output);
        Assert.Equal("fail", (string)json.Check("reachability")["status"]!);
        Assert.All(new[] { "base-url", "auth", "model", "chat", "streaming", "tools" }, name => Assert.Equal("skip", (string)json.Check(name)["status"]!));
    }

    [Fact]
    public async Task Wrong_auth_style_names_the_style_that_works_and_the_fix_makes_it_pass()
    {
        var endpoint = fixture.XApiKeyOnly.GetEndpoint("groq");
        var config = Cli.ProviderConfig("groq", endpoint, "llama-3.3-70b-versatile");

        var run = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config);
        Cli.Keep("wrong-auth-style", run);
        var json = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config, "--json");

        Assert.Equal(1, run.ExitCode);
        var auth = json.Check("auth");
        Assert.Equal("fail", (string)auth["status"]!);
        Assert.Equal("key refused as Authorization: Bearer (HTTP 401) but accepted as x-api-key", (string)auth["detail"]!);
        Assert.Equal("Set CompatAI:Profiles:groq:AuthStyle to XApiKey.", (string)auth["fix"]!);

        var fixedConfig = Cli.ProviderConfig("groq", endpoint, "llama-3.3-70b-versatile", profiles: new JsonObject { ["groq"] = new JsonObject { ["AuthStyle"] = "XApiKey" } });
        var fixedRun = await Cli.RunAsync("doctor", "--provider", "groq", "--config", fixedConfig, "--json");
        Assert.Equal(0, fixedRun.ExitCode);
        Assert.Equal("key accepted as x-api-key", (string)fixedRun.Check("auth")["detail"]!);
    }

    [Fact]
    public async Task Base_url_without_v1_fails_with_the_url_that_works_and_the_fix_makes_it_pass()
    {
        var withoutV1 = new Uri(fixture.Keyed.BaseUrl, "groq");
        var config = Cli.ProviderConfig("groq", withoutV1, "llama-3.3-70b-versatile");

        var run = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config);
        Cli.Keep("base-url-without-v1", run);
        var json = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config, "--json");

        Assert.Equal(1, run.ExitCode);
        var expected = fixture.Keyed.GetEndpoint("groq").AbsoluteUri.TrimEnd('/');
        Assert.Equal($"Set CompatAI:Providers:groq:Endpoint to {expected}", (string)json.Check("base-url")["fix"]!);
        Assert.Contains("answered HTTP 404", (string)json.Check("base-url")["detail"]!);
        Assert.Equal("pass", (string)json.Check("auth")["status"]!);

        var fixedRun = await Cli.RunAsync("doctor", "--provider", "groq", "--config", Cli.ProviderConfig("groq", new Uri(expected), "llama-3.3-70b-versatile"), "--json");
        Assert.Equal(0, fixedRun.ExitCode);
    }

    [Fact]
    public async Task Base_url_with_chat_completions_is_reported()
    {
        var endpoint = new Uri(fixture.Keyed.GetEndpoint("deepseek"), "chat/completions");
        var config = Cli.ProviderConfig("deepseek", endpoint, "deepseek-chat");

        var json = await Cli.RunAsync("doctor", "--provider", "deepseek", "--config", config, "--json");

        Assert.Equal(1, json.ExitCode);
        Assert.Contains("ends with /chat/completions", (string)json.Check("base-url")["detail"]!);
        Assert.Equal($"Set CompatAI:Providers:deepseek:Endpoint to {fixture.Keyed.GetEndpoint("deepseek").AbsoluteUri.TrimEnd('/')}", (string)json.Check("base-url")["fix"]!);
    }

    [Fact]
    public async Task Unknown_model_fails_with_the_served_models()
    {
        var config = Cli.ProviderConfig("groq", fixture.Keyed.GetEndpoint("groq"), "llama-9-imaginary");

        var run = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config);
        Cli.Keep("unknown-model", run);
        var json = await Cli.RunAsync("doctor", "--provider", "groq", "--config", config, "--json");

        Assert.Equal(1, run.ExitCode);
        var model = json.Check("model");
        Assert.Equal("'llama-9-imaginary' is not among the 5 models the service lists", (string)model["detail"]!);
        Assert.StartsWith("Set CompatAI:Providers:groq:Model to a served model: llama-3.3-70b-versatile, llama-3.1-8b-instant,", (string)model["fix"]!);
        Assert.Equal("skip", (string)json.Check("chat")["status"]!);
    }

    [Fact]
    public async Task Missing_key_fails_and_names_the_environment_variable()
    {
        var config = Cli.ProviderConfig("deepseek", fixture.Keyed.GetEndpoint("deepseek"), "deepseek-chat", apiKey: null);

        var json = await Cli.RunAsync("doctor", "--provider", "deepseek", "--config", config, "--json");

        Assert.Equal(1, json.ExitCode);
        Assert.Equal("Set CompatAI:Providers:deepseek:ApiKey or the DEEPSEEK_API_KEY environment variable.", (string)json.Check("api-key")["fix"]!);
        Assert.Equal("fail", (string)json.Check("auth")["status"]!);
    }

    [Fact]
    public async Task Missing_configuration_entry_warns_and_a_typo_in_it_fails_naming_the_key()
    {
        var other = Cli.ProviderConfig("groq", fixture.Keyed.GetEndpoint("groq"), "llama-3.3-70b-versatile");
        var warned = await Cli.RunAsync("doctor", "--provider", "vllm", "--endpoint", fixture.Open.GetEndpoint("vllm").AbsoluteUri, "--model", "Qwen/Qwen3-8B", "--config", other, "--json");
        Assert.Equal("warn", (string)warned.Check("configuration")["status"]!);
        Assert.Equal(2, warned.ExitCode);

        var typo = Cli.WriteConfig(new JsonObject { ["Providers"] = new JsonObject { ["groq"] = new JsonObject { ["Endpont"] = "http://127.0.0.1:1/v1" } } });
        var failed = await Cli.RunAsync("doctor", "--provider", "groq", "--config", typo, "--json");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("Endpont", (string)failed.Check("configuration")["detail"]!);
    }

    [Fact]
    public async Task An_endpoint_alone_is_checked_with_the_custom_profile()
    {
        var run = await Cli.RunAsync("doctor", "--endpoint", fixture.Open.GetEndpoint("vllm").AbsoluteUri, "--model", "Qwen/Qwen3-8B", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("custom", (string)run.Json["provider"]!);
        Assert.Equal("no --config; catalog profile 'custom' with --endpoint", (string)run.Check("configuration")["detail"]!);
        Assert.Equal("none set; provider 'custom' does not require one", (string)run.Check("api-key")["detail"]!);
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
