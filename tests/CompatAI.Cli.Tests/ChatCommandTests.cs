namespace CompatAI.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class ChatCommandTests(CliFixture fixture)
{
    [Fact]
    public async Task One_shot_chat_streams_text_reasoning_and_usage_as_json()
    {
        var run = await Cli.RunAsync("chat", "--provider", "deepseek", "--endpoint", fixture.Keyed.GetEndpoint("deepseek").AbsoluteUri,
            "--api-key", CliFixture.Key, "--model", "deepseek-reasoner", "--prompt", "What is 2+2?", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("You said: What is 2+2?", (string)run.Json["text"]!);
        Assert.Equal("Reasoning about: What is 2+2?", (string)run.Json["reasoning"]!);
        Assert.Equal("stop", (string)run.Json["finishReason"]!);
        Assert.True((long)run.Json["usage"]!["totalTokens"]! > 0);
        var sent = System.Text.Json.Nodes.JsonNode.Parse(fixture.Keyed.Requests.Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Body)!;
        Assert.Equal("deepseek-reasoner", (string)sent["model"]!);
        Assert.True((bool)sent["stream"]!);
    }

    [Fact]
    public async Task Plain_text_marks_reasoning_and_ends_with_usage()
    {
        var run = await Cli.RunAsync("chat", "--provider", "groq", "--endpoint", fixture.Keyed.GetEndpoint("groq").AbsoluteUri,
            "--api-key", CliFixture.Key, "--model", "qwen/qwen3-32b", "--prompt", "hello there");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("[reasoning] Reasoning about: hello there", lines[0]);
        Assert.Equal("You said: hello there", lines[1]);
        Assert.Matches("^usage: [0-9]+ in, [0-9]+ out, [0-9]+ total$", lines[2]);
    }

    [Fact]
    public async Task Interactive_chat_keeps_the_history_until_an_empty_line()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader("first question\nsecond question\n\nnever sent\n");

        var exit = await CliApp.RunAsync(
            ["chat", "--provider", "mistral", "--endpoint", fixture.Keyed.GetEndpoint("mistral").AbsoluteUri, "--api-key", CliFixture.Key, "--json"], output, error, input);

        Assert.Equal(0, exit);
        var turns = System.Text.Json.Nodes.JsonNode.Parse(output.ToString())!.AsArray();
        Assert.Equal(["You said: first question", "You said: second question"], turns.Select(t => (string)t!["text"]!));
        var last = fixture.Keyed.Requests.Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));
        Assert.Contains("You said: first question", last.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("never sent", string.Join("\n", fixture.Keyed.Requests.Select(r => r.Body)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_key_is_exit_1_with_the_provider_error()
    {
        var run = await Cli.RunAsync("chat", "--provider", "groq", "--endpoint", fixture.Keyed.GetEndpoint("groq").AbsoluteUri, "--api-key", "wrong", "--prompt", "hi");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Authentication:", run.Error);
    }
}
