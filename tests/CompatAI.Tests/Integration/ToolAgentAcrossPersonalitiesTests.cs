using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

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
    /// <summary>Every personality, streaming or not, through CompatAI's own client or wrapped around an application's own <c>AsIChatClient()</c>.</summary>
    public static TheoryData<string, string, bool, Inner> Personalities()
    {
        (string, string)[] personalities =
        [
            ("openai", "gpt-4o-mini"), ("groq", "llama-3.3-70b-versatile"), ("deepseek", "deepseek-v4-flash"), ("deepseek", "deepseek-reasoner"),
            ("openrouter", "openai/gpt-4o-mini"), ("mistral", "mistral-small-latest"), ("minimax", "MiniMax-M2"), ("perplexity", "sonar"),
            ("vllm", "Qwen/Qwen3-8B"), ("llamacpp", "ggml-org/gemma-3-4b-it-GGUF"),
        ];
        var data = new TheoryData<string, string, bool, Inner>();
        foreach (var (personality, model) in personalities)
        {
            foreach (var inner in new[] { Inner.CompatChatClient, Inner.WrappedAsIChatClient })
            {
                data.Add(personality, model, false, inner);
                data.Add(personality, model, true, inner);
            }
        }

        return data;
    }

    /// <summary>Which client the tool loop runs over.</summary>
    public enum Inner
    {
        /// <summary><c>CompatChatClient.CreateBuilder(options).UseFunctionInvocation()</c>.</summary>
        CompatChatClient,

        /// <summary>An application's own <c>OpenAIClient(..., options.UseCompatWireRepairs(p)).GetChatClient(m).AsIChatClient()</c>, with <c>UseFunctionInvocation().UseCompatQuirks(p)</c>.</summary>
        WrappedAsIChatClient,
    }

    [Theory]
    [MemberData(nameof(Personalities))]
    public async Task Function_invocation_runs_a_two_tool_loop(string personality, string model, bool streaming, Inner inner)
    {
        var invoked = new List<string>();
        var weather = AIFunctionFactory.Create((string city) => { invoked.Add($"get_weather({city})"); return $"sunny in {city}"; }, "get_weather", "Gets the weather of a city.");
        var time = AIFunctionFactory.Create((string city) => { invoked.Add($"get_time({city})"); return $"noon in {city}"; }, "get_time", "Gets the local time of a city.");
        using var client = inner == Inner.CompatChatClient
            ? CompatChatClient.CreateBuilder(Options(personality, model)).UseFunctionInvocation().Build()
            : new OpenAIClient(new ApiKeyCredential("emulator-key"), new OpenAIClientOptions { Endpoint = fixture.Emulator.GetEndpoint(personality), RetryPolicy = new ClientRetryPolicy(0) }.UseCompatWireRepairs(personality))
                .GetChatClient(model)
                .AsIChatClient()
                .AsBuilder()
                .UseFunctionInvocation()
                .UseCompatQuirks(personality)
                .Build();
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
