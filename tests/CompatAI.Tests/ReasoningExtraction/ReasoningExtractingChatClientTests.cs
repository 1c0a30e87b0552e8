using System.ClientModel.Primitives;
using CompatAI;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI.Tests.ReasoningExtraction;

public sealed class ReasoningExtractingChatClientTests
{
    private static async Task<ChatResponse> RunFixtureAsync(string fixture, ReasoningExtractionOptions? options = null, ProviderProfile? profile = null)
    {
        var inner = new FakeChatClient { Profile = profile, OnGet = (_, _, _) => Task.FromResult(Fixtures.ToResponse(Fixtures.ReadCompletion(fixture))) };
        using var client = new ReasoningExtractingChatClient(inner, options);
        return await client.GetResponseAsync("hi");
    }

    [Fact]
    public async Task Reads_the_reasoning_field_of_groq_parsed_reasoning()
    {
        var response = await RunFixtureAsync("groq-reasoning-qwen3-nonstream.json");
        var contents = response.Messages[0].Contents;
        Assert.StartsWith("Okay, so the user is asking", Fixtures.Reasoning(contents));
        Assert.StartsWith("The word \"strawberry\" contains", Fixtures.Text(contents));
        Assert.Single(contents.OfType<TextReasoningContent>());
    }

    [Fact]
    public async Task Does_not_duplicate_reasoning_the_adapter_already_mapped()
    {
        var response = await RunFixtureAsync("deepseek-reasoner-nonstream.json");
        var reasoning = Assert.Single(response.Messages[0].Contents.OfType<TextReasoningContent>());
        Assert.False(string.IsNullOrEmpty(reasoning.Text));
    }

    [Fact]
    public async Task Prefers_reasoning_over_reasoning_details_and_never_takes_both()
    {
        var response = await RunFixtureAsync("openrouter-reasoning-details-nonstream.json");
        var reasoning = Assert.Single(response.Messages[0].Contents.OfType<TextReasoningContent>());
        Assert.Equal("Let me work through this systematically:\n1. First consideration...\n2. Second consideration...", reasoning.Text);
    }

    [Fact]
    public async Task Reads_reasoning_details_text_items_when_it_is_the_only_field()
    {
        var response = await RunFixtureAsync("openrouter-reasoning-details-nonstream.json", new ReasoningExtractionOptions { Fields = ["reasoning_details"] });
        Assert.Equal("Let me work through this systematically:\n1. First consideration...\n2. Second consideration...", Fixtures.Reasoning(response.Messages[0].Contents));
    }

    [Fact]
    public async Task Reads_a_reasoning_field_that_follows_long_content_and_nested_values()
    {
        // The extractor first scans the message's property names once; the field sits after values it must skip.
        string content = string.Concat(Enumerable.Repeat("Plain answer text with \\\"quotes\\\" and {braces}. ", 50));
        var completion = Fixtures.ParseCompletion($$"""{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"{{content}}","annotations":[],"extra":{"reasoning":"not this one","list":[1,{"reasoning_content":"nor this"}]},"reasoning_details":[{"type":"reasoning.text","text":"Thought last."}]},"finish_reason":"stop"}]}""");
        var inner = new FakeChatClient { OnGet = (_, _, _) => Task.FromResult(Fixtures.ToResponse(completion)) };
        using var client = new ReasoningExtractingChatClient(inner);
        var response = await client.GetResponseAsync("hi");
        Assert.Equal("Thought last.", Fixtures.Reasoning(response.Messages[0].Contents));
        Assert.StartsWith("Plain answer text with \"quotes\"", Fixtures.Text(response.Messages[0].Contents), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ignores_reasoning_names_nested_below_the_message()
    {
        var completion = Fixtures.ParseCompletion("""{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"The answer.","extra":{"reasoning":"not a message field"}},"finish_reason":"stop"}]}""");
        var inner = new FakeChatClient { OnGet = (_, _, _) => Task.FromResult(Fixtures.ToResponse(completion)) };
        using var client = new ReasoningExtractingChatClient(inner);
        var response = await client.GetResponseAsync("hi");
        Assert.Empty(response.Messages[0].Contents.OfType<TextReasoningContent>());
        Assert.Equal("The answer.", Fixtures.Text(response.Messages[0].Contents));
    }

    [Fact]
    public async Task Extracts_think_tags_from_ollama_content()
    {
        var response = await RunFixtureAsync("ollama-r1-think-tags-in-content-nonstream.json");
        var contents = response.Messages[0].Contents;
        Assert.StartsWith("首先", Fixtures.Reasoning(contents));
        Assert.Equal("你好呀！看来是有点久未上线了哈~ 希望一切顺利！", Fixtures.Text(contents));
        Assert.DoesNotContain("think>", response.Text);
    }

    [Fact]
    public async Task Surfaces_perplexity_citations_as_annotations()
    {
        var response = await RunFixtureAsync("perplexity-citations-nonstream.json");
        var citations = response.Messages[0].Contents.SelectMany(static c => c.Annotations ?? []).OfType<CitationAnnotation>().ToList();
        Assert.Equal(7, citations.Count);
        Assert.Equal(new Uri("https://populationstat.com/united-states/san-francisco"), citations[0].Url);
    }

    [Fact]
    public async Task Copies_provider_usage_counters_and_costs()
    {
        var deepseek = await RunFixtureAsync("deepseek-reasoner-nonstream.json");
        Assert.Equal(18, deepseek.Usage!.AdditionalCounts!["prompt_cache_miss_tokens"]);
        Assert.Equal(0, deepseek.Usage.AdditionalCounts["prompt_cache_hit_tokens"]);

        var openrouter = await RunFixtureAsync("openrouter-reasoning-details-nonstream.json");
        Assert.Equal(0.95, (double)openrouter.AdditionalProperties!["cost"]!);
    }

    [Fact]
    public async Task Drop_mode_removes_reasoning()
    {
        var response = await RunFixtureAsync("groq-reasoning-qwen3-nonstream.json", new ReasoningExtractionOptions { Mode = ReasoningOutputMode.Drop });
        Assert.Empty(response.Messages[0].Contents.OfType<TextReasoningContent>());
        Assert.StartsWith("The word", response.Text);
    }

    [Fact]
    public async Task Answer_mode_turns_reasoning_into_the_answer_when_content_is_empty()
    {
        var response = await RunFixtureAsync("groq-reasoning-only-length-truncated-nonstream.json", new ReasoningExtractionOptions { Mode = ReasoningOutputMode.AnswerWhenContentEmpty });
        Assert.Empty(response.Messages[0].Contents.OfType<TextReasoningContent>());
        Assert.False(string.IsNullOrWhiteSpace(response.Text));
    }

    [Fact]
    public async Task Streaming_think_tags_split_across_updates_are_separated()
    {
        string[] pieces = ["<thi", "nk>The user", " greets.</th", "ink>\n\nHel", "lo!"];
        var inner = new FakeChatClient
        {
            OnStream = (_, _, ct) => FakeChatClient.Updates(pieces.Select(p => new ChatResponseUpdate(ChatRole.Assistant, p)), ct),
        };
        using var client = new ReasoningExtractingChatClient(inner);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        var all = updates.SelectMany(static u => u.Contents).ToList();
        Assert.Equal("The user greets.", Fixtures.Reasoning(all));
        Assert.Equal("Hello!", Fixtures.Text(all));
    }

    [Fact]
    public async Task Streaming_deepseek_reasoning_is_not_duplicated()
    {
        var raw = Fixtures.ReadStream("deepseek-reasoner-stream.sse");
        var inner = new FakeChatClient { OnStream = (_, _, ct) => FakeChatClient.Updates(raw.Select(Fixtures.ToUpdate), ct) };
        using var client = new ReasoningExtractingChatClient(inner);
        var all = new List<AIContent>();
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            all.AddRange(update.Contents);
        }

        string expected = string.Concat(raw.Select(static r => r.Patch.TryGetValue("$.choices[0].delta.reasoning_content"u8, out string? s) ? s : null));
        Assert.Equal(expected, Fixtures.Reasoning(all));
        Assert.False(string.IsNullOrEmpty(Fixtures.Text(all)));
    }

    [Fact]
    public async Task Streaming_answer_mode_holds_reasoning_and_emits_it_once()
    {
        var inner = new FakeChatClient
        {
            OnStream = (_, _, ct) => FakeChatClient.Updates([new ChatResponseUpdate(ChatRole.Assistant, "<think>only"), new ChatResponseUpdate(ChatRole.Assistant, " thoughts")], ct),
        };
        using var client = new ReasoningExtractingChatClient(inner, new ReasoningExtractionOptions { Mode = ReasoningOutputMode.AnswerWhenContentEmpty });
        var all = new List<AIContent>();
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            all.AddRange(update.Contents);
        }

        Assert.Equal("only thoughts", Fixtures.Text(all));
        Assert.Empty(all.OfType<TextReasoningContent>());
    }

    private static List<AIChatMessage> ToolTurn() =>
    [
        new(ChatRole.User, "weather?"),
        new(ChatRole.Assistant, [new TextReasoningContent("I should call the tool."), new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
        new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
    ];

    [Fact]
    public async Task Replays_reasoning_on_tool_call_turns_when_required()
    {
        var inner = new FakeChatClient();
        using var client = new ReasoningExtractingChatClient(inner, new ReasoningExtractionOptions { Replay = ReasoningReplay.Required });
        var history = ToolTurn();
        await client.GetResponseAsync(history);

        var sent = inner.Calls[0].Messages[1];
        var raw = Assert.IsType<AssistantChatMessage>(sent.RawRepresentation);
        string json = ModelReaderWriter.Write(raw, ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default).ToString();
        Assert.Contains("\"reasoning_content\":\"I should call the tool.\"", json);
        Assert.Contains("\"id\":\"call_1\"", json);
        Assert.Contains("get_weather", json);
        Assert.Null(history[1].RawRepresentation);
    }

    [Fact]
    public async Task Strips_reasoning_where_the_provider_rejects_it()
    {
        var inner = new FakeChatClient
        {
            Profile = new ProviderProfile { Name = "deepseek", Quirks = new ProviderQuirks { ReasoningReplay = ReasoningReplay.Rejected } },
        };
        using var client = new ReasoningExtractingChatClient(inner);
        var history = ToolTurn();
        await client.GetResponseAsync(history);

        Assert.Empty(inner.Calls[0].Messages[1].Contents.OfType<TextReasoningContent>());
        Assert.Single(history[1].Contents.OfType<TextReasoningContent>());
    }

    private static List<AIChatMessage> ToolTurnWithoutReasoning() =>
    [
        new(ChatRole.User, "weather?"),
        new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather")]),
        new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
    ];

    private static string SentAssistantJson(FakeChatClient inner) =>
        ModelReaderWriter.Write(Assert.IsType<AssistantChatMessage>(inner.Calls[0].Messages[1].RawRepresentation), ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default).ToString();

    [Fact]
    public async Task A_placeholder_fills_tool_call_turns_without_reasoning_by_default()
    {
        // DeepSeek thinking mode and Kimi reject a tool-call turn without reasoning_content; Kimi K2.6 also rejects "".
        var inner = new FakeChatClient();
        using var client = new ReasoningExtractingChatClient(inner, new ReasoningExtractionOptions { Replay = ReasoningReplay.Required });
        var history = ToolTurnWithoutReasoning();
        await client.GetResponseAsync(history);

        Assert.Contains("\"reasoning_content\":\".\"", SentAssistantJson(inner));
        Assert.Null(history[1].RawRepresentation);
    }

    [Fact]
    public async Task The_default_placeholder_follows_the_profile_that_requires_replay()
    {
        var inner = new FakeChatClient
        {
            Profile = new ProviderProfile { Name = "deepseek", Quirks = new ProviderQuirks { ReasoningReplay = ReasoningReplay.Required } },
        };
        using var client = new ReasoningExtractingChatClient(inner);
        await client.GetResponseAsync(ToolTurnWithoutReasoning());

        Assert.Contains("\"reasoning_content\":\".\"", SentAssistantJson(inner));
    }

    [Fact]
    public async Task A_configured_placeholder_replaces_the_default()
    {
        var inner = new FakeChatClient();
        using var client = new ReasoningExtractingChatClient(inner, new ReasoningExtractionOptions { Replay = ReasoningReplay.Required, MissingReasoningPlaceholder = string.Empty });
        await client.GetResponseAsync(ToolTurnWithoutReasoning());

        Assert.Contains("\"reasoning_content\":\"\"", SentAssistantJson(inner));
    }

    [Fact]
    public async Task Filling_missing_reasoning_can_be_turned_off()
    {
        var inner = new FakeChatClient();
        using var client = new ReasoningExtractingChatClient(inner, new ReasoningExtractionOptions { Replay = ReasoningReplay.Required, FillMissingReasoning = false });
        var history = ToolTurnWithoutReasoning();
        await client.GetResponseAsync(history);

        Assert.Same(history[1], inner.Calls[0].Messages[1]);
    }

    [Fact]
    public async Task Reasoning_details_get_no_default_placeholder()
    {
        // OpenRouter's reasoning_details items must be what the provider produced; a made-up item is never sent unasked.
        var inner = new FakeChatClient();
        using var client = new ReasoningExtractingChatClient(inner, new ReasoningExtractionOptions { Replay = ReasoningReplay.Required, ReplayField = "reasoning_details" });
        var history = ToolTurnWithoutReasoning();
        await client.GetResponseAsync(history);

        Assert.Same(history[1], inner.Calls[0].Messages[1]);
    }

    [Fact]
    public async Task Messages_that_carry_reasoning_replay_it_rather_than_the_placeholder()
    {
        var inner = new FakeChatClient();
        using var client = new ReasoningExtractingChatClient(inner, new ReasoningExtractionOptions { Replay = ReasoningReplay.Required });
        await client.GetResponseAsync(ToolTurn());

        string json = SentAssistantJson(inner);
        Assert.Contains("\"reasoning_content\":\"I should call the tool.\"", json);
        Assert.DoesNotContain("\"reasoning_content\":\".\"", json);
    }

    [Fact]
    public async Task Replays_into_reasoning_details_as_an_array_for_openrouter_style_profiles()
    {
        var inner = new FakeChatClient();
        using var client = new ReasoningExtractingChatClient(inner, new ReasoningExtractionOptions { Replay = ReasoningReplay.Required, ReplayField = "reasoning_details" });
        await client.GetResponseAsync(ToolTurn());
        var raw = Assert.IsType<AssistantChatMessage>(inner.Calls[0].Messages[1].RawRepresentation);
        string json = ModelReaderWriter.Write(raw, ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default).ToString();
        Assert.True(json.Contains("\"reasoning_details\":[{\"type\":\"reasoning.text\",\"text\":\"I should call the tool.\"}]", StringComparison.Ordinal), json);
    }

    [Theory]
    [InlineData("custom", "deepseek-r1:14b", true)]
    [InlineData("custom", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", true)]
    [InlineData("custom", "DEEPSEEK-R1-DISTILL-LLAMA-70B", true)]
    [InlineData("openai", "DeepSeek-R1", true)]
    [InlineData("groq", "QwQ-32B", true)]
    [InlineData("vllm", "Qwen3-8B-think-GGUF", true)]
    [InlineData("custom", "Qwen3-8B-think-GGUF", false)]
    [InlineData("custom", "r10-base", false)]
    [InlineData("groq", "llama-3.3-70b-versatile", false)]
    [InlineData("openai", "gpt-4o-mini", false)]
    public async Task Streams_hold_untagged_starts_only_for_models_that_open_the_tag_in_the_prompt(string provider, string model, bool holds)
    {
        var inner = new FakeChatClient
        {
            Profile = ProviderCatalog.Default.Get(provider),
            DefaultModel = model,
            OnStream = (_, _, ct) => FakeChatClient.Updates([new ChatResponseUpdate(ChatRole.Assistant, "plan first"), new ChatResponseUpdate(ChatRole.Assistant, "</think>answer")], ct),
        };
        using var client = new ReasoningExtractingChatClient(inner);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        Assert.Equal(holds ? string.Empty : "plan first", Fixtures.Text(updates[0].Contents));
        var all = updates.SelectMany(static u => u.Contents).ToList();
        Assert.Equal(holds ? "plan first" : string.Empty, Fixtures.Reasoning(all));
        Assert.Equal(holds ? "answer" : "plan firstanswer", Fixtures.Text(all));
    }

    [Fact]
    public async Task Untagged_detection_is_profile_data_not_a_model_id_pattern()
    {
        // A profile with reasoning tags but no untaggedReasoningAtStart: an R1 id alone does not hold the stream.
        var inner = new FakeChatClient
        {
            Profile = new ProviderProfile { Name = "p", Quirks = new ProviderQuirks { ReasoningTags = ["think"] } },
            DefaultModel = "deepseek-r1:14b",
            OnStream = (_, _, ct) => FakeChatClient.Updates([new ChatResponseUpdate(ChatRole.Assistant, "plan first"), new ChatResponseUpdate(ChatRole.Assistant, "</think>answer")], ct),
        };
        using var client = new ReasoningExtractingChatClient(inner);
        var updates = await client.GetStreamingResponseAsync("hi").ToListAsync();
        Assert.Equal("plan first", Fixtures.Text(updates[0].Contents));
    }

    [Fact]
    public async Task Held_text_is_released_before_a_mid_stream_error_is_thrown()
    {
        var failure = new ProviderException("custom", ProviderErrorKind.StreamInterrupted, "cut");
        var inner = new FakeChatClient
        {
            Profile = ProviderCatalog.Default.Get("custom"),
            DefaultModel = "DeepSeek-R1-Distill-Qwen-32B",
            OnStream = (_, _, ct) => ThenThrow(FakeChatClient.Updates([new ChatResponseUpdate(ChatRole.Assistant, "The answer "), new ChatResponseUpdate(ChatRole.Assistant, "is 4")], ct), failure),
        };
        using var client = new ReasoningExtractingChatClient(inner);
        var updates = new List<ChatResponseUpdate>();
        var thrown = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                updates.Add(update);
            }
        });

        Assert.Same(failure, thrown);
        Assert.Equal("The answer is 4", Fixtures.Text(updates.SelectMany(static u => u.Contents)));
    }

    [Fact]
    public async Task A_dedicated_reasoning_field_stops_untagged_detection_and_keeps_the_text()
    {
        // vLLM serving a thinking model with --reasoning-parser: reasoning in its own field, the answer in content,
        // never a closing tag. The answer must come out as text, as it streams.
        var inner = new FakeChatClient
        {
            Profile = ProviderCatalog.Default.Get("vllm"),
            DefaultModel = "Qwen/Qwen3-30B-A3B-Thinking-2507",
            OnStream = (_, _, ct) => FakeChatClient.Updates(
            [
                new ChatResponseUpdate(ChatRole.Assistant, [new TextReasoningContent("Let me add.")]),
                new ChatResponseUpdate(ChatRole.Assistant, "2 + 2 "),
                new ChatResponseUpdate(ChatRole.Assistant, "= 4"),
            ], ct),
        };
        using var client = new ReasoningExtractingChatClient(inner);
        var updates = await client.GetStreamingResponseAsync("hi").ToListAsync();

        Assert.Equal("2 + 2 ", Fixtures.Text(updates[1].Contents)); // not held until the end
        var all = updates.SelectMany(static u => u.Contents).ToList();
        Assert.Equal("Let me add.", Fixtures.Reasoning(all));
        Assert.Equal("2 + 2 = 4", Fixtures.Text(all));
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> ThenThrow(IAsyncEnumerable<ChatResponseUpdate> updates, Exception failure)
    {
        await foreach (var update in updates)
        {
            yield return update;
        }

        throw failure;
    }
}
