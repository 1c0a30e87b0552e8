using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace CompatAI.Emulator.Tests;

/// <summary>The official OpenAI .NET SDK talks to the emulator unchanged (a boundary real users cross).</summary>
public sealed class OpenAISdkCompatibilityTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKey = "sk-emulator" });

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private ChatClient Client(string personality, string model, string key = "sk-emulator") =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = _emulator.GetEndpoint(personality), NetworkTimeout = TimeSpan.FromSeconds(10) });

    [Theory]
    [InlineData("openai", "gpt-4o-mini")]
    [InlineData("groq", "llama-3.3-70b-versatile")]
    [InlineData("deepseek", "deepseek-chat")]
    [InlineData("openrouter", "openai/gpt-4o-mini")]
    [InlineData("vllm", "meta-llama/Llama-3.1-8B-Instruct")]
    [InlineData("llamacpp", "ggml-org/gemma-3-4b-it-GGUF")]
    public async Task Sdk_completes_and_streams(string personality, string model)
    {
        var client = Client(personality, model);

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("hello sdk")]);
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hello sdk")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        Assert.Equal("You said: hello sdk", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal("You said: hello sdk", streamed.ToString());
        Assert.Equal("Bearer sk-emulator", _emulator.Requests[^1].Headers["Authorization"]);
    }

    [Fact]
    public async Task Sdk_receives_parallel_tool_calls()
    {
        var options = new ChatCompletionOptions
        {
            Tools =
            {
                ChatTool.CreateFunctionTool("get_weather", "weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")),
                ChatTool.CreateFunctionTool("get_time", "time", BinaryData.FromString("""{"type":"object","properties":{}}""")),
            },
        };

        ChatCompletion completion = await Client("openai", "gpt-4o-mini").CompleteChatAsync([new UserChatMessage("get_time and get_weather")], options);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal(["get_weather", "get_time"], completion.ToolCalls.Select(c => c.FunctionName));
        Assert.Equal("""{"city":"sample"}""", completion.ToolCalls[0].FunctionArguments.ToString());
    }

    [Fact]
    public async Task Sdk_surfaces_emulated_errors_as_ClientResultException()
    {
        var wrongKey = await Assert.ThrowsAsync<ClientResultException>(() => Client("openai", "gpt-4o-mini", "sk-wrong").CompleteChatAsync([new UserChatMessage("x")]));
        var rule = await Assert.ThrowsAsync<ClientResultException>(() => Client("groq", "llama-3.3-70b-versatile").CompleteChatAsync(
            [new UserChatMessage("x")], new ChatCompletionOptions { StoredOutputEnabled = true }));

        Assert.Equal(401, wrongKey.Status);
        Assert.Contains("invalid_api_key", wrongKey.Message, StringComparison.Ordinal);
        Assert.Equal(400, rule.Status);
        Assert.Contains("property 'store' is unsupported", rule.Message, StringComparison.Ordinal);
    }
}
