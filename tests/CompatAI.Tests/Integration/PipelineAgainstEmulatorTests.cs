using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Integration;

/// <summary>The same request fails against the bare adapter (the personality enforces the provider's real rule) and succeeds through the default pipeline.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class PipelineAgainstEmulatorTests(EmulatorFixture fixture)
{
    private static ChatOptions WeatherTools(ChatToolMode? mode = null) => new()
    {
        Tools = [AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Gets the weather of a city.")],
        ToolMode = mode,
    };

    private async Task BareFailsPipelineSucceedsAsync(string personality, string model, IList<ChatMessage> messages, ChatOptions? options, Action<ChatResponse>? check = null)
    {
        using var bare = fixture.Adapter(personality, model);
        var error = await Assert.ThrowsAsync<ProviderException>(() => bare.GetResponseAsync(messages, options));
        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);

        using var pipeline = fixture.Pipeline(personality, model);
        var response = await pipeline.GetResponseAsync(messages, options);
        Assert.NotEmpty(response.Messages);
        check?.Invoke(response);

        var streamed = await pipeline.GetStreamingResponseAsync(messages, options).ToChatResponseAsync();
        Assert.NotEmpty(streamed.Messages);
    }

    [Fact]
    public Task Mistral_required_tool_choice() =>
        BareFailsPipelineSucceedsAsync("mistral", "mistral-small-latest", [new(ChatRole.User, "weather in Paris?")], WeatherTools(ChatToolMode.RequireAny),
            r => Assert.Single(r.Messages.SelectMany(static m => m.Contents).OfType<FunctionCallContent>()));

    [Fact]
    public Task Mistral_foreign_tool_call_ids() =>
        BareFailsPipelineSucceedsAsync("mistral", "mistral-small-latest",
        [
            new(ChatRole.User, "weather in Paris?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_0123456789abcdef", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_0123456789abcdef", "sunny")]),
        ], WeatherTools(), r => Assert.StartsWith("Tool results:", r.Text));

    [Fact]
    public Task MiniMax_system_prompt() =>
        BareFailsPipelineSucceedsAsync("minimax", "MiniMax-Text-01", [new(ChatRole.System, "Be brief."), new(ChatRole.User, "hello")], null,
            r => Assert.Contains("hello", r.Text));

    [Fact]
    public Task MiniMax_M2_late_and_repeated_system_messages() =>
        BareFailsPipelineSucceedsAsync("minimax", "MiniMax-M2.7", [new(ChatRole.System, "Be brief."), new(ChatRole.User, "hello"), new(ChatRole.System, "In English.")], null,
            r => Assert.Contains("hello", r.Text));

    [Fact]
    public Task MiniMax_temperature_zero() =>
        BareFailsPipelineSucceedsAsync("minimax", "MiniMax-M2.7", [new(ChatRole.User, "hello")], new ChatOptions { Temperature = 0 });

    [Fact]
    public Task OpenAI_reasoning_model_stop_sequences() =>
        BareFailsPipelineSucceedsAsync("openai", "o3-mini", [new(ChatRole.User, "hi")], new ChatOptions { StopSequences = ["END"] });

    [Fact]
    public Task Perplexity_consecutive_user_messages() =>
        BareFailsPipelineSucceedsAsync("perplexity", "sonar", [new(ChatRole.User, "first"), new(ChatRole.User, "second")], null);

    [Fact]
    public Task OpenAI_reasoning_model_temperature() =>
        BareFailsPipelineSucceedsAsync("openai", "o3-mini", [new(ChatRole.User, "hi")], new ChatOptions { Temperature = 0.3f });

    [Fact]
    public Task OpenAI_o1_mini_system_role() =>
        BareFailsPipelineSucceedsAsync("openai", "o1-mini", [new(ChatRole.System, "Be brief."), new(ChatRole.User, "hi")], null);

    [Fact]
    public Task Groq_logit_bias() =>
        BareFailsPipelineSucceedsAsync("groq", "llama-3.3-70b-versatile", [new(ChatRole.User, "hi")],
            new ChatOptions { AdditionalProperties = new() { ["logit_bias"] = new Dictionary<string, int> { ["1"] = 5 } } });

    [Fact]
    public Task Groq_more_than_one_choice() =>
        BareFailsPipelineSucceedsAsync("groq", "llama-3.3-70b-versatile", [new(ChatRole.User, "hi")],
            new ChatOptions { AdditionalProperties = new() { ["n"] = 2 } });

    [Fact]
    public Task Groq_json_mode_with_tools()
    {
        var options = WeatherTools();
        options.ResponseFormat = ChatResponseFormat.Json;
        return BareFailsPipelineSucceedsAsync("groq", "llama-3.3-70b-versatile", [new(ChatRole.User, "weather in Paris?")], options);
    }

    [Fact]
    public Task DeepSeek_developer_role() =>
        BareFailsPipelineSucceedsAsync("deepseek", "deepseek-chat", [new(new ChatRole("developer"), "Be brief."), new(ChatRole.User, "hi")], null);

    [Fact]
    public async Task DeepSeek_thinking_mode_needs_reasoning_replayed_on_tool_call_turns()
    {
        using var pipeline = fixture.Pipeline("deepseek", "deepseek-v4-flash");
        var options = WeatherTools();
        List<ChatMessage> history = [new(ChatRole.User, "get_weather for Paris?")];
        var first = await pipeline.GetResponseAsync(history, options);
        Assert.NotEmpty(first.Messages[0].Contents.OfType<TextReasoningContent>());
        history.AddRange(first.Messages);
        var call = first.Messages.SelectMany(static m => m.Contents).OfType<FunctionCallContent>().Single();
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "sunny")]));

        using var bare = fixture.Adapter("deepseek", "deepseek-v4-flash");
        var error = await Assert.ThrowsAsync<ProviderException>(() => bare.GetResponseAsync(history, options));
        Assert.Contains("reasoning_content", error.Message);

        var second = await pipeline.GetResponseAsync(history, options);
        Assert.StartsWith("Tool results: get_weather=sunny", second.Text);
    }

    [Fact]
    public async Task Reasoning_replay_follows_the_profile_per_model_and_the_option_overrides_it()
    {
        // DeepSeek's thinking mode (deepseek-reasoner since V3.1) wants reasoning back on tool-call turns; the 2025 R1
        // model rejected it. The catalog encodes both per model; the option overrides the profile data.
        List<ChatMessage> history =
        [
            new(ChatRole.User, "hi"),
            new(ChatRole.Assistant, [new TextReasoningContent("thinking"), new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
        ];

        var thinking = fixture.Adapter("deepseek", "deepseek-reasoner");
        using (var byProfile = new ReasoningExtractingChatClient(thinking))
        {
            Assert.StartsWith("Tool results:", (await byProfile.GetResponseAsync(history, WeatherTools())).Text);
        }

        using (var forcedStrip = new ReasoningExtractingChatClient(thinking, new ReasoningExtractionOptions { Replay = ReasoningReplay.Rejected }))
        {
            var ex = await Assert.ThrowsAsync<ProviderException>(() => forcedStrip.GetResponseAsync(history, WeatherTools()));
            Assert.Contains("must be passed back", ex.Message);
        }

        var r1 = fixture.Adapter("deepseek", "deepseek-r1");
        using (var byProfile = new ReasoningExtractingChatClient(r1))
        {
            Assert.StartsWith("Tool results:", (await byProfile.GetResponseAsync(history, WeatherTools())).Text);
        }

        using (var forcedReplay = new ReasoningExtractingChatClient(r1, new ReasoningExtractionOptions { Replay = ReasoningReplay.Required }))
        {
            var ex = await Assert.ThrowsAsync<ProviderException>(() => forcedReplay.GetResponseAsync(history, WeatherTools()));
            Assert.Contains("intermediate result", ex.Message);
        }
    }

    [Fact]
    public async Task Strict_mode_fails_before_any_request_reaches_the_provider()
    {
        var adapter = fixture.Adapter("openai", "o3-mini");
        using var strict = new ParameterSanitizingChatClient(adapter, new ParameterSanitizingOptions { Mode = ParameterSanitizerMode.Strict });
        int before = fixture.Emulator.Requests.Count;
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => strict.GetResponseAsync("hi", new ChatOptions { Temperature = 0.5f }));
        Assert.Contains("temperature", ex.Message);
        Assert.Equal(before, fixture.Emulator.Requests.Count(r => r is not null));
    }

    [Fact]
    public async Task Fallback_moves_past_a_rate_limited_provider_and_says_who_served()
    {
        fixture.Emulator.EnqueueFault("groq", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(20)));
        using var chain = new FallbackChatClient([fixture.Pipeline("groq", "llama-3.3-70b-versatile"), fixture.Pipeline("mistral", "mistral-small-latest")]);
        var response = await chain.GetResponseAsync("hello");
        Assert.Equal("mistral", response.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(2, response.AdditionalProperties[FallbackChatClient.AttemptsKey]);
        Assert.Contains("hello", response.Text);
    }

    [Fact]
    public async Task Fallback_stream_cut_after_output_surfaces_as_stream_interrupted()
    {
        fixture.Emulator.EnqueueFault("openai", EmulatorFault.CutAfter(2));
        int Sent(string personality) => fixture.Emulator.Requests.Count(r => r.Personality == personality);
        var (openaiBefore, mistralBefore) = (Sent("openai"), Sent("mistral"));
        using var chain = new FallbackChatClient([fixture.Pipeline("openai", "gpt-4o-mini"), fixture.Pipeline("mistral", "mistral-small-latest")]);
        var texts = new List<string>();
        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in chain.GetStreamingResponseAsync("hello there, how are you today?"))
            {
                texts.Add(update.Text);
            }
        });
        Assert.Equal(ProviderErrorKind.StreamInterrupted, ex.Kind);
        Assert.Equal("openai", ex.ProviderName);

        // After output, the chain does not fail over: the secondary never sees the request (no output from two providers).
        Assert.Equal(openaiBefore + 1, Sent("openai"));
        Assert.Equal(mistralBefore, Sent("mistral"));
        Assert.NotEmpty(texts);
    }
}
