// SKEXP0110: SK marks ReasoningContent/StreamingReasoningContent experimental; the tests check they stay absent.
#pragma warning disable SKEXP0110
using System.ClientModel.Primitives;
using System.ComponentModel;
using System.Text.Json.Nodes;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using OpenAI.Chat;
using SKFunctionCallContent = Microsoft.SemanticKernel.FunctionCallContent;
using SKFunctionResultContent = Microsoft.SemanticKernel.FunctionResultContent;

namespace CompatAI.Tests.SemanticKernel;

/// <summary>
/// Semantic Kernel 1.82 over CompatAI's <see cref="IChatClient"/> on the emulator: a kernel with a plugin, SK's automatic
/// function calling (<c>UseKernelFunctionInvocation</c> outside the quirk pipeline), what SK exposes of reasoning, and a
/// DeepSeek thinking-mode conversation continued from a <see cref="ChatHistory"/> that kept no reasoning.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class SemanticKernelOnCompatAITests(EmulatorFixture fixture)
{
    private const string ParisPrompt = """Check travel_get_weather({"city":"Paris"}) and travel_get_time({"city":"Paris"}).""";

    private static readonly PromptExecutionSettings Auto = new() { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

    public static TheoryData<string, string, bool> Personalities() => new()
    {
        { "openai", "gpt-4o-mini", false }, { "openai", "gpt-4o-mini", true },
        { "mistral", "mistral-small-latest", false }, { "mistral", "mistral-small-latest", true },
        { "deepseek", "deepseek-reasoner", false }, { "deepseek", "deepseek-reasoner", true },
        { "minimax", "MiniMax-M2", false }, { "minimax", "MiniMax-M2", true },
        { "groq", "llama-3.3-70b-versatile", false }, { "groq", "llama-3.3-70b-versatile", true },
    };

    [Theory]
    [MemberData(nameof(Personalities))]
    public async Task Auto_function_calling_runs_the_plugin(string personality, string model, bool streaming)
    {
        var plugin = new TravelPlugin();
        var kernel = CreateKernel(personality, model, plugin);
        var chat = kernel.GetRequiredService<IChatClient>().AsChatCompletionService(kernel.Services);
        ChatHistory history = new("You are a travel assistant.");
        history.AddUserMessage(ParisPrompt);

        string answer;
        if (streaming)
        {
            var text = new System.Text.StringBuilder();
            await foreach (var update in chat.GetStreamingChatMessageContentsAsync(history, Auto, kernel))
            {
                text.Append(update.Content);
            }

            answer = text.ToString();
        }
        else
        {
            answer = (await chat.GetChatMessageContentAsync(history, Auto, kernel)).Content ?? string.Empty;
        }

        Assert.Equal(["get_weather(Paris)", "get_time(Paris)"], plugin.Calls);
        Assert.Equal("Tool results: travel_get_weather=sunny in Paris; travel_get_time=noon in Paris", answer);

        // SK records the tool turns in the ChatHistory it was given, under the tool names of the wire.
        var calls = history.SelectMany(static m => m.Items).OfType<SKFunctionCallContent>().ToList();
        Assert.Equal(["travel_get_weather", "travel_get_time"], calls.Select(static c => c.FunctionName));
        Assert.Equal(calls.Select(static c => c.Id), history.SelectMany(static m => m.Items).OfType<SKFunctionResultContent>().Select(static r => r.CallId));
        if (personality == "mistral")
        {
            Assert.All(calls, static c => Assert.Matches("^[a-zA-Z0-9]{9}$", c.Id));
        }
    }

    [Fact]
    public async Task A_prompt_function_result_holds_the_reasoning_as_TextReasoningContent()
    {
        var kernel = CreateKernel("deepseek", "deepseek-reasoner", new TravelPlugin());

        var result = await kernel.InvokePromptAsync(ParisPrompt, new KernelArguments(Auto));

        // With an IChatClient, a prompt function's value is Microsoft.Extensions.AI's ChatResponse, whole.
        var response = Assert.IsType<ChatResponse>(result.GetValue<object>());
        Assert.Same(response, result.GetValue<ChatResponse>());
        var toolTurn = response.Messages.Single(static m => m.Contents.OfType<Microsoft.Extensions.AI.FunctionCallContent>().Any());
        Assert.Equal("Reasoning about: " + ParisPrompt, Assert.Single(toolTurn.Contents.OfType<TextReasoningContent>()).Text);
        Assert.StartsWith("Tool results:", response.Text);
    }

    [Fact]
    public async Task A_streamed_prompt_function_yields_TextReasoningContent_updates()
    {
        var kernel = CreateKernel("deepseek", "deepseek-reasoner", new TravelPlugin());

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in kernel.InvokePromptStreamingAsync<ChatResponseUpdate>(ParisPrompt, new KernelArguments(Auto)))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        var reasoning = response.Messages.SelectMany(static m => m.Contents).OfType<TextReasoningContent>().Select(static r => r.Text).ToList();
        Assert.Equal(["Reasoning about: " + ParisPrompt, "Reasoning about: " + ParisPrompt], reasoning);
        Assert.DoesNotContain("Reasoning about", response.Text, StringComparison.Ordinal);
        Assert.StartsWith("Tool results:", response.Text);
    }

    [Fact]
    public async Task The_chat_completion_service_exposes_reasoning_through_InnerContent()
    {
        var kernel = CreateKernel("deepseek", "deepseek-reasoner", new TravelPlugin());
        var chat = kernel.GetRequiredService<IChatClient>().AsChatCompletionService(kernel.Services);
        ChatHistory history = [];
        history.AddUserMessage("hello");

        var reply = await chat.GetChatMessageContentAsync(history, new PromptExecutionSettings(), kernel);

        // SK 1.82 converts no Microsoft.Extensions.AI TextReasoningContent into its items (no ReasoningContent appears);
        // the reasoning reaches SK code in InnerContent, the OpenAI SDK completion the answer was read from.
        Assert.Equal("You said: hello", reply.Content);
        Assert.DoesNotContain(reply.Items, static i => i is ReasoningContent);
        var completion = Assert.IsType<ChatCompletion>(reply.InnerContent);
        Assert.Equal("Reasoning about: hello", (string?)ToJson(completion)["choices"]![0]!["message"]!["reasoning_content"]);

        var streamed = new System.Text.StringBuilder();
        var reasoning = new System.Text.StringBuilder();
        await foreach (var update in chat.GetStreamingChatMessageContentsAsync(history, new PromptExecutionSettings(), kernel))
        {
            Assert.DoesNotContain(update.Items, static i => i is StreamingReasoningContent);
            streamed.Append(update.Content);
            if (update.InnerContent is StreamingChatCompletionUpdate raw && ToJson(raw)["choices"] is JsonArray { Count: > 0 } choices)
            {
                reasoning.Append((string?)choices[0]!["delta"]?["reasoning_content"]);
            }
        }

        Assert.Equal("You said: hello", streamed.ToString());
        Assert.Equal("Reasoning about: hello", reasoning.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_thinking_mode_conversation_continues_from_a_ChatHistory_without_reasoning(bool streamSecondTurn)
    {
        var plugin = new TravelPlugin();
        var kernel = CreateKernel("deepseek", "deepseek-reasoner", plugin);
        var chat = kernel.GetRequiredService<IChatClient>().AsChatCompletionService(kernel.Services);
        ChatHistory history = new("You are a travel assistant.");
        history.AddUserMessage(ParisPrompt);
        history.Add(await chat.GetChatMessageContentAsync(history, Auto, kernel));

        // The ChatHistory kept the tool-call turn without its reasoning: DeepSeek's thinking mode rejects it as it is.
        var toolTurn = history.Single(static m => m.Items.OfType<SKFunctionCallContent>().Any());
        Assert.DoesNotContain(toolTurn.Items, static i => i is ReasoningContent);

        history.AddUserMessage("""Now travel_get_weather({"city":"Rome"}).""");
        fixture.Emulator.ClearRequests();
        string answer;
        if (streamSecondTurn)
        {
            var text = new System.Text.StringBuilder();
            await foreach (var update in chat.GetStreamingChatMessageContentsAsync(history, Auto, kernel))
            {
                text.Append(update.Content);
            }

            answer = text.ToString();
        }
        else
        {
            answer = (await chat.GetChatMessageContentAsync(history, Auto, kernel)).Content ?? string.Empty;
        }

        Assert.Equal("Tool results: travel_get_weather=sunny in Rome", answer);
        Assert.Equal("get_weather(Rome)", plugin.Calls[^1]);

        // On the wire, the old turn carried the default placeholder; the new turn its own reasoning.
        var requests = fixture.Emulator.Requests;
        Assert.Equal(2, requests.Count);
        var toolTurnsSent = JsonNode.Parse(requests[1].Body)!["messages"]!.AsArray().Where(static m => m!["tool_calls"] is not null).ToList();
        Assert.Equal(2, toolTurnsSent.Count);
        Assert.Equal(ReasoningExtractionOptions.DefaultMissingReasoningPlaceholder, (string?)toolTurnsSent[0]!["reasoning_content"]);
        Assert.Equal("Reasoning about: Now travel_get_weather({\"city\":\"Rome\"}).", (string?)toolTurnsSent[1]!["reasoning_content"]);
    }

    [Fact]
    public async Task Without_the_placeholder_DeepSeek_rejects_the_continued_ChatHistory()
    {
        // The same conversation with FillMissingReasoning switched off in configuration: the default is what makes it work.
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CompatAI:Providers:deepseek:Endpoint"] = fixture.Emulator.GetEndpoint("deepseek").ToString(),
            ["CompatAI:Providers:deepseek:ApiKey"] = "emulator-key",
            ["CompatAI:Providers:deepseek:Model"] = "deepseek-reasoner",
            ["CompatAI:Providers:deepseek:Reasoning:FillMissingReasoning"] = "false",
        }).Build());
        builder.Services.AddCompatChatClient("deepseek").UseKernelFunctionInvocation();
        builder.Plugins.AddFromObject(new TravelPlugin(), "travel");
        var kernel = builder.Build();
        var chat = kernel.GetRequiredService<IChatClient>().AsChatCompletionService(kernel.Services);
        ChatHistory history = [];
        history.AddUserMessage(ParisPrompt);
        history.Add(await chat.GetChatMessageContentAsync(history, Auto, kernel));
        history.AddUserMessage("""Now travel_get_weather({"city":"Rome"}).""");

        var error = await Assert.ThrowsAsync<ProviderException>(() => chat.GetChatMessageContentAsync(history, Auto, kernel));
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("must be passed back", error.Message, StringComparison.Ordinal);
    }

    private Kernel CreateKernel(string personality, string model, TravelPlugin plugin)
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddChatClient(CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = personality,
            Endpoint = fixture.Emulator.GetEndpoint(personality),
            ApiKey = "emulator-key",
            Model = model,
            Retry = { MaxRetries = 0 },
        })).UseKernelFunctionInvocation();
        builder.Plugins.AddFromObject(plugin, "travel");
        return builder.Build();
    }

    private static JsonNode ToJson<T>(T model) where T : IJsonModel<T> =>
        JsonNode.Parse(ModelReaderWriter.Write(model, ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default).ToString())!;

    /// <summary>The plugin under test; records each call so the test sees what SK ran.</summary>
    public sealed class TravelPlugin
    {
        public List<string> Calls { get; } = [];

        [KernelFunction("get_weather"), Description("Gets the weather of a city.")]
        public string GetWeather([Description("City name")] string city)
        {
            Calls.Add($"get_weather({city})");
            return $"sunny in {city}";
        }

        [KernelFunction("get_time"), Description("Gets the local time of a city.")]
        public string GetTime([Description("City name")] string city)
        {
            Calls.Add($"get_time({city})");
            return $"noon in {city}";
        }
    }
}
