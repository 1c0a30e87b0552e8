namespace CompatAI.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class ModelsCommandTests(CliFixture fixture)
{
    [Fact]
    public async Task Lists_the_live_models_beside_the_catalog_rules()
    {
        var run = await Cli.RunAsync("models", "--provider", "deepseek", "--endpoint", fixture.Keyed.GetEndpoint("deepseek").AbsoluteUri, "--api-key", CliFixture.Key, "--json");

        Assert.Equal(0, run.ExitCode);
        var models = run.Json["models"]!.AsArray();
        Assert.Equal(["deepseek-flash", "deepseek-chat", "deepseek-reasoner", "deepseek-v4-flash", "deepseek-v4-pro", "deepseek-r1"], models.Select(m => (string)m!["id"]!));
        Assert.Equal("deepseek-flash", (string)run.Json["catalogDefaultModel"]!);
        Assert.True((bool)run.Json["catalogDefaultModelServed"]!);
        var reasoner = models.Single(m => (string)m!["id"]! == "deepseek-reasoner")!;
        Assert.Equal("^deepseek-(?:reasoner|v4|flash)", (string)reasoner["matchedRules"]![0]!);
        Assert.Contains("reasoning replay Required", (string)reasoner["catalog"]!);
        var r1 = models.Single(m => (string)m!["id"]! == "deepseek-r1")!;
        Assert.Contains("reasoning replay Rejected", (string)r1["catalog"]!);
        Assert.True((bool)models.Single(m => (string)m!["id"]! == "deepseek-flash")!["default"]!);
    }

    [Fact]
    public async Task Plain_text_lists_one_model_per_line()
    {
        var run = await Cli.RunAsync("models", "--provider", "groq", "--endpoint", fixture.Keyed.GetEndpoint("groq").AbsoluteUri, "--api-key", CliFixture.Key);

        Assert.Equal(0, run.ExitCode);
        Assert.Matches("(?m)^openai/gpt-oss-120b +current; default; reasoning field reasoning; reasoning tags <think>$", run.Output);
        Assert.Matches("(?m)^llama-3.3-70b-versatile +retired since 2026-08-16 \\(use openai/gpt-oss-120b\\); reasoning field reasoning; reasoning tags <think>$", run.Output);
        Assert.Contains($"5 models at {fixture.Keyed.GetEndpoint("groq").AbsoluteUri.TrimEnd('/')}; catalog default: openai/gpt-oss-120b", run.Output);
    }

    [Fact]
    public async Task Shows_each_models_lifecycle_and_flags_catalog_models_the_service_no_longer_lists()
    {
        var run = await Cli.RunAsync("models", "--provider", "minimax", "--endpoint", fixture.Keyed.GetEndpoint("minimax").AbsoluteUri, "--api-key", CliFixture.Key, "--json");

        Assert.Equal(0, run.ExitCode);
        var models = run.Json["models"]!.AsArray();
        var m2 = models.Single(m => (string)m!["id"]! == "MiniMax-M2")!;
        Assert.Equal("retired", (string?)m2["status"]);
        Assert.Equal("MiniMax-M2.7", (string?)m2["replacement"]);
        Assert.Equal("current", (string?)models.Single(m => (string)m!["id"]! == "MiniMax-M2.7")!["status"]);
        Assert.Null(models.Single(m => (string)m!["id"]! == "MiniMax-Text-01")!["status"]);
        var flagged = Assert.Single(run.Json["catalogModelsNotListed"]!.AsArray())!;
        Assert.Equal("MiniMax-M2.5", (string?)flagged["id"]);
        Assert.Equal("2026-10-01", (string?)run.Json["catalogVerified"]);

        var text = await Cli.RunAsync("models", "--provider", "minimax", "--endpoint", fixture.Keyed.GetEndpoint("minimax").AbsoluteUri, "--api-key", CliFixture.Key);
        Assert.Matches("(?m)^MiniMax-M2.5 +catalog: current; NOT listed by the service$", text.Output);
        Assert.Contains("1 catalog model(s) not listed by the service: MiniMax-M2.5.", text.Output);
    }

    [Fact]
    public async Task A_refused_key_fails_with_exit_1_and_points_to_doctor()
    {
        var run = await Cli.RunAsync("models", "--provider", "groq", "--endpoint", fixture.Keyed.GetEndpoint("groq").AbsoluteUri, "--api-key", "wrong");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("HTTP 401: Invalid API Key", run.Error);
        Assert.Contains("compatai doctor", run.Error);
    }
}
