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
        Assert.Equal(["deepseek-chat", "deepseek-reasoner", "deepseek-v4-flash", "deepseek-v4-pro", "deepseek-r1"], models.Select(m => (string)m!["id"]!));
        Assert.Equal("deepseek-v4-flash", (string)run.Json["catalogDefaultModel"]!);
        Assert.True((bool)run.Json["catalogDefaultModelServed"]!);
        var reasoner = models.Single(m => (string)m!["id"]! == "deepseek-reasoner")!;
        Assert.Equal("^deepseek-(?:reasoner|v4)", (string)reasoner["matchedRules"]![0]!);
        Assert.Contains("reasoning replay Required", (string)reasoner["catalog"]!);
        var r1 = models.Single(m => (string)m!["id"]! == "deepseek-r1")!;
        Assert.Contains("reasoning replay Rejected", (string)r1["catalog"]!);
        Assert.True((bool)models.Single(m => (string)m!["id"]! == "deepseek-v4-flash")!["default"]!);
    }

    [Fact]
    public async Task Plain_text_lists_one_model_per_line()
    {
        var run = await Cli.RunAsync("models", "--provider", "groq", "--endpoint", fixture.Keyed.GetEndpoint("groq").AbsoluteUri, "--api-key", CliFixture.Key);

        Assert.Equal(0, run.ExitCode);
        Assert.Matches("(?m)^openai/gpt-oss-120b +default; reasoning field reasoning; reasoning tags <think>$", run.Output);
        Assert.Contains($"5 models at {fixture.Keyed.GetEndpoint("groq").AbsoluteUri.TrimEnd('/')}; catalog default: openai/gpt-oss-120b", run.Output);
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
