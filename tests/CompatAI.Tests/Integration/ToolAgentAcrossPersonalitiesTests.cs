using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Integration;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="FunctionInvokingChatClient"/> (<c>UseFunctionInvocation</c>) runs a two-tool loop
/// with a system prompt through every emulator personality, outside CompatAI's quirk pipeline: the same application code
/// works everywhere because the pipeline fixes each provider's rules (Mistral's 9-character tool-call ids, DeepSeek's
/// reasoning that must come back on tool-call turns, MiniMax's system role) on every request the loop makes.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class ToolAgentAcrossPersonalitiesTests(EmulatorFixture fixture)
{
    public static TheoryData<string, string, bool> Personalities() => new()
    {
        { "openai", "gpt-4o-mini", false }, { "openai", "gpt-4o-mini", true },
        { "groq", "llama-3.3-70b-versatile", false }, { "groq", "llama-3.3-70b-versatile", true },
        { "deepseek", "deepseek-v4-flash", false }, { "deepseek", "deepseek-v4-flash", true },
        { "deepseek", "deepseek-reasoner", false }, { "deepseek", "deepseek-reasoner", true },
        { "openrouter", "openai/gpt-4o-mini", false }, { "openrouter", "openai/gpt-4o-mini", true },
        { "mistral", "mistral-small-latest", false }, { "mistral", "mistral-small-latest", true },
        { "minimax", "MiniMax-M2", false }, { "minimax", "MiniMax-M2", true },
        { "perplexity", "sonar", false }, { "perplexity", "sonar", true },
        { "vllm", "Qwen/Qwen3-8B", false }, { "vllm", "Qwen/Qwen3-8B", true },
        { "llamacpp", "ggml-org/gemma-3-4b-it-GGUF", false }, { "llamacpp", "ggml-org/gemma-3-4b-it-GGUF", true },
    };

    [Theory]
    [MemberData(nameof(Personalities))]
    public async Task Function_invocation_runs_a_two_tool_loop(string personality, string model, bool streaming)
    {
        var invoked = new List<string>();
        var weather = AIFunctionFactory.Create((string city) => { invoked.Add($"get_weather({city})"); return $"sunny in {city}"; }, "get_weather", "Gets the weather of a city.");
        var time = AIFunctionFactory.Create((string city) => { invoked.Add($"get_time({city})"); return $"noon in {city}"; }, "get_time", "Gets the local time of a city.");
        using var client = CompatChatClient.CreateBuilder(Options(personality, model)).UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [weather, time] };
        List<ChatMessage> history = [new(ChatRole.System, "You are a travel assistant."), new(ChatRole.User, "Use get_weather and get_time for Paris.")];
        var requestsBefore = fixture.Emulator.Requests.Count;

        var response = streaming
            ? await client.GetStreamingResponseAsync(history, options).ToChatResponseAsync()
            : await client.GetResponseAsync(history, options);

        Assert.DoesNotContain("<think>", response.Text, StringComparison.OrdinalIgnoreCase);
        var calls = response.Messages.SelectMany(static m => m.Contents).OfType<FunctionCallContent>().ToList();
        if (personality == "perplexity")
        {
            // Perplexity has no tools: the sanitizer leaves them out and the model answers in text.
            Assert.Empty(calls);
            Assert.Empty(invoked);
            Assert.False(string.IsNullOrWhiteSpace(response.Text));
            return;
        }

        // One tool round: the model asked for both tools, FunctionInvokingChatClient ran them and sent the results back.
        Assert.Equal(["get_weather", "get_time"], calls.Select(static c => c.Name));
        Assert.Equal(calls.Select(static c => $"{c.Name}({c.Arguments?["city"]})"), invoked);
        var results = response.Messages.SelectMany(static m => m.Contents).OfType<FunctionResultContent>().ToList();
        Assert.Equal(calls.Select(static c => c.CallId), results.Select(static r => r.CallId));
        Assert.StartsWith("Tool results:", response.Text);
        // FunctionInvokingChatClient sends results as JSON; the emulator pairs them with their calls by tool_call_id.
        Assert.Contains("get_weather=\"sunny in ", response.Text);
        Assert.Contains("get_time=\"noon in ", response.Text);
        Assert.Equal(requestsBefore + 2, fixture.Emulator.Requests.Count);

        if (personality == "mistral")
        {
            Assert.All(calls, static c => Assert.Matches("^[a-zA-Z0-9]{9}$", c.CallId));
        }

        if (personality == "deepseek")
        {
            // Thinking mode: the tool-call turn's reasoning reached the caller and was replayed on the second request
            // (the emulator answers 400 "must be passed back" otherwise).
            var toolTurn = response.Messages.First(static m => m.Contents.OfType<FunctionCallContent>().Any());
            var reasoning = Assert.Single(toolTurn.Contents.OfType<TextReasoningContent>());
            var sent = System.Text.Json.Nodes.JsonNode.Parse(fixture.Emulator.Requests[^1].Body)!["messages"]!.AsArray()
                .Single(static m => m!["tool_calls"] is not null)!;
            Assert.False(string.IsNullOrEmpty(reasoning.Text));
            Assert.Equal(reasoning.Text, (string?)sent["reasoning_content"]);
        }
    }

    private CompatChatClientOptions Options(string personality, string model) => new()
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    };
}
