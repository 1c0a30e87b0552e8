using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Integration;

/// <summary>
/// FunctionInvokingChatClient is not available here, so the test drives the tool loop itself: the same application code,
/// with a system prompt and two tools, round-trips through every emulator personality via the default pipeline.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class ToolAgentAcrossPersonalitiesTests(EmulatorFixture fixture)
{
    public static TheoryData<string, string, bool> Personalities() => new()
    {
        { "openai", "gpt-4o-mini", false }, { "openai", "gpt-4o-mini", true },
        { "groq", "llama-3.3-70b-versatile", false }, { "groq", "llama-3.3-70b-versatile", true },
        { "deepseek", "deepseek-v4-flash", false }, { "deepseek", "deepseek-v4-flash", true },
        { "openrouter", "openai/gpt-4o-mini", false }, { "openrouter", "openai/gpt-4o-mini", true },
        { "mistral", "mistral-small-latest", false }, { "mistral", "mistral-small-latest", true },
        { "minimax", "MiniMax-M2", false }, { "minimax", "MiniMax-M2", true },
        { "perplexity", "sonar", false }, { "perplexity", "sonar", true },
        { "vllm", "Qwen/Qwen3-8B", false }, { "vllm", "Qwen/Qwen3-8B", true },
        { "llamacpp", "ggml-org/gemma-3-4b-it-GGUF", false }, { "llamacpp", "ggml-org/gemma-3-4b-it-GGUF", true },
    };

    [Theory]
    [MemberData(nameof(Personalities))]
    public async Task Two_tool_conversation_round_trips(string personality, string model, bool streaming)
    {
        using var client = fixture.Pipeline(personality, model);
        var weather = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Gets the weather of a city.");
        var time = AIFunctionFactory.Create((string city) => $"noon in {city}", "get_time", "Gets the local time of a city.");
        var tools = new Dictionary<string, AIFunction> { [weather.Name] = weather, [time.Name] = time };
        var options = new ChatOptions { Tools = [weather, time] };
        List<ChatMessage> history = [new(ChatRole.System, "You are a travel assistant."), new(ChatRole.User, "Use get_weather and get_time for Paris.")];

        int toolRounds = 0;
        ChatResponse response;
        while (true)
        {
            response = streaming
                ? await client.GetStreamingResponseAsync(history, options).ToChatResponseAsync()
                : await client.GetResponseAsync(history, options);
            history.AddRange(response.Messages);
            Assert.DoesNotContain("<think>", response.Text, StringComparison.OrdinalIgnoreCase);
            var calls = response.Messages.SelectMany(static m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                break;
            }

            Assert.True(++toolRounds <= 2, "the tool loop should finish");
            var results = new List<AIContent>();
            foreach (var call in calls)
            {
                var result = await tools[call.Name].InvokeAsync(new AIFunctionArguments(call.Arguments));
                results.Add(new FunctionResultContent(call.CallId, result));
            }

            history.Add(new ChatMessage(ChatRole.Tool, results));
        }

        if (personality == "perplexity")
        {
            // Perplexity has no tools: the sanitizer leaves them out and the model answers in text.
            Assert.Equal(0, toolRounds);
            Assert.False(string.IsNullOrWhiteSpace(response.Text));
            return;
        }

        Assert.Equal(1, toolRounds);
        Assert.StartsWith("Tool results:", response.Text);
        Assert.Contains("get_weather=", response.Text);
        Assert.Contains("get_time=", response.Text);
    }
}
