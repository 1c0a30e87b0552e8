using System.Text.Json;
using CompatAI;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.ParameterSanitizing;

public sealed class ParameterSanitizingChatClientTests
{
    [Fact]
    public async Task Mistral_gets_random_seed_max_tokens_any_and_no_stream_options()
    {
        var (adapter, wire) = WireCapture.For("mistral");
        using var client = new ParameterSanitizingChatClient(adapter);
        var options = new ChatOptions
        {
            Seed = 42,
            MaxOutputTokens = 100,
            Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather")],
            ToolMode = ChatToolMode.RequireAny,
        };
        await foreach (var _ in client.GetStreamingResponseAsync("hi", options))
        {
        }

        var body = wire.Bodies[0];
        Assert.Equal(42, body["random_seed"]!.GetValue<long>());
        Assert.False(body.ContainsKey("seed"));
        Assert.Equal(100, body["max_tokens"]!.GetValue<int>());
        Assert.False(body.ContainsKey("max_completion_tokens"));
        Assert.Equal("any", body["tool_choice"]!.GetValue<string>());
        Assert.False(body.ContainsKey("stream_options"));
        Assert.Equal(42, options.Seed);
    }

    [Fact]
    public async Task Mistral_tool_call_ids_are_remapped_consistently_and_names_dropped()
    {
        var (adapter, wire) = WireCapture.For("mistral");
        using var client = new ParameterSanitizingChatClient(adapter);
        List<ChatMessage> history =
        [
            new(ChatRole.User, "weather?") { AuthorName = "alice" },
            new(ChatRole.Assistant, [new FunctionCallContent("call_abc123456789", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_abc123456789", "sunny")]),
        ];
        await client.GetResponseAsync(history);
        await client.GetResponseAsync(history);

        var messages = wire.Bodies[0]["messages"]!.AsArray();
        string id = messages[1]!["tool_calls"]![0]!["id"]!.GetValue<string>();
        Assert.Matches("^[A-Za-z0-9]{9}$", id);
        Assert.Equal(id, messages[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal(id, wire.Bodies[1]["messages"]![1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.False(messages[0]!.AsObject().ContainsKey("name"));
        Assert.Equal("call_abc123456789", ((FunctionCallContent)history[1].Contents[0]).CallId);
    }

    [Fact]
    public async Task Reasoning_model_rules_drop_sampling_parameters()
    {
        var (adapter, wire) = WireCapture.For("openai", "o3-mini");
        using var client = new ParameterSanitizingChatClient(adapter);
        var response = await client.GetResponseAsync("hi", new ChatOptions { Temperature = 0.2f, TopP = 0.9f, MaxOutputTokens = 50 });

        Assert.False(wire.Bodies[0].ContainsKey("temperature"));
        Assert.False(wire.Bodies[0].ContainsKey("top_p"));
        Assert.Equal(50, wire.Bodies[0]["max_completion_tokens"]!.GetValue<int>());
        var changes = Assert.IsAssignableFrom<IReadOnlyList<SanitizerChange>>(response.AdditionalProperties![ParameterSanitizingChatClient.ChangesKey]);
        Assert.Contains(changes, static c => c.Parameter == "temperature" && c.Action == "dropped");
    }

    [Fact]
    public async Task Strict_mode_throws_naming_parameter_and_provider_before_any_network_call()
    {
        var (adapter, wire) = WireCapture.For("openai", "o3-mini");
        using var client = new ParameterSanitizingChatClient(adapter, new ParameterSanitizingOptions { Mode = ParameterSanitizerMode.Strict });
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi", new ChatOptions { Temperature = 0.2f }));
        Assert.Contains("'temperature'", ex.Message);
        Assert.Contains("'openai'", ex.Message);
        Assert.Empty(wire.Bodies);
    }

    [Fact]
    public async Task Passthrough_sends_the_request_as_shaped()
    {
        var (adapter, wire) = WireCapture.For("openai", "o3-mini");
        using var client = new ParameterSanitizingChatClient(adapter, new ParameterSanitizingOptions { Mode = ParameterSanitizerMode.Passthrough });
        await client.GetResponseAsync("hi", new ChatOptions { Temperature = 0.2f });
        Assert.Equal(0.2, wire.Bodies[0]["temperature"]!.GetValue<double>(), 3);
    }

    [Fact]
    public async Task Stop_sequences_are_capped_and_unsupported_extras_dropped()
    {
        var (adapter, wire) = WireCapture.For("groq");
        using var client = new ParameterSanitizingChatClient(adapter, new ParameterSanitizingOptions { QuirksOverride = new ProviderQuirks { MaxStopSequences = 2 } });
        await client.GetResponseAsync("hi", new ChatOptions
        {
            StopSequences = ["a", "b", "c"],
            AdditionalProperties = new() { ["logit_bias"] = new Dictionary<string, int> { ["50256"] = -100 }, ["keep_me"] = 1 },
        });

        var body = wire.Bodies[0];
        Assert.Equal(["a", "b"], body["stop"]!.AsArray().Select(static n => n!.GetValue<string>()));
        Assert.False(body.ContainsKey("logit_bias"));
        Assert.Equal(1, body["keep_me"]!.GetValue<int>());
    }

    [Fact]
    public async Task Json_schema_is_downgraded_to_json_mode_with_the_schema_in_the_prompt_where_unsupported()
    {
        var (adapter, wire) = WireCapture.For("deepseek");
        using var client = new ParameterSanitizingChatClient(adapter);
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"answer":{"type":"string"}}}""");
        await client.GetResponseAsync("hi", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement.Clone(), "answer") });

        var body = wire.Bodies[0];
        Assert.Equal("json_object", body["response_format"]!["type"]!.GetValue<string>());
        string system = body["messages"]![0]!["content"]!.ToString();
        Assert.Contains("\"answer\"", system);
        Assert.Contains("JSON schema", system);
    }

    [Fact]
    public async Task Developer_role_is_mapped_to_system_where_rejected()
    {
        var (adapter, wire) = WireCapture.For("deepseek");
        using var client = new ParameterSanitizingChatClient(adapter);
        await client.GetResponseAsync([new ChatMessage(new ChatRole("developer"), "be brief"), new ChatMessage(ChatRole.User, "hi")]);
        Assert.Equal("system", wire.Bodies[0]["messages"]![0]!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Named_tool_choice_is_emulated_where_unsupported()
    {
        var inner = new FakeChatClient { Profile = new ProviderProfile { Name = "p", Quirks = new ProviderQuirks { SupportsNamedToolChoice = false } } };
        using var client = new ParameterSanitizingChatClient(inner);
        await client.GetResponseAsync("hi", new ChatOptions
        {
            Tools = [AIFunctionFactory.Create(() => 1, "a"), AIFunctionFactory.Create(() => 2, "b")],
            ToolMode = ChatToolMode.RequireSpecific("b"),
        });
        var sent = inner.Calls[0].Options!;
        Assert.Equal("b", Assert.Single(sent.Tools!).Name);
        Assert.IsType<RequiredChatToolMode>(sent.ToolMode);
        Assert.Null(((RequiredChatToolMode)sent.ToolMode!).RequiredFunctionName);
    }

    [Fact]
    public async Task Tool_call_only_content_is_sent_as_empty_string_where_required()
    {
        var inner = new FakeChatClient { Profile = new ProviderProfile { Name = "p", Quirks = new ProviderQuirks { ToolCallContent = ToolCallContentStyle.EmptyString } } };
        using var client = new ParameterSanitizingChatClient(inner);
        await client.GetResponseAsync([new(ChatRole.User, "x"), new(ChatRole.Assistant, [new FunctionCallContent("c1", "f")]), new(ChatRole.Tool, [new FunctionResultContent("c1", "r")])]);
        var raw = Assert.IsType<OpenAI.Chat.AssistantChatMessage>(inner.Calls[0].Messages[1].RawRepresentation);
        string json = System.ClientModel.Primitives.ModelReaderWriter.Write(raw, System.ClientModel.Primitives.ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default).ToString();
        Assert.Contains("\"content\":\"\"", json);
    }

    [Fact]
    public async Task Changes_are_counted_on_the_CompatAI_meter_and_recorded_as_activity_events()
    {
        var seen = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CompatAI" && instrument.Name == "compatai.sanitizer.changes")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var dictionary = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                dictionary[tag.Key] = tag.Value;
            }

            lock (seen)
            {
                seen.Add((value, dictionary));
            }
        });
        listener.Start();

        using var source = new System.Diagnostics.ActivitySource("CompatAI.Tests.Sanitizer");
        using var activityListener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(activityListener);

        var inner = new FakeChatClient { Profile = new ProviderProfile { Name = "metered", Quirks = new ProviderQuirks { UnsupportedParameters = ["top_k"] } } };
        using var client = new ParameterSanitizingChatClient(inner);
        using (var activity = source.StartActivity("call"))
        {
            await client.GetResponseAsync("hi", new ChatOptions { TopK = 5 });
            Assert.Contains(activity!.Events, static e => e.Name == "compatai.sanitizer.change" && e.Tags.Any(static t => t.Key == "compatai.parameter" && (string?)t.Value == "top_k"));
        }

        lock (seen)
        {
            Assert.Contains(seen, static m => m.Value == 1 && (string?)m.Tags["compatai.provider"] == "metered" && (string?)m.Tags["compatai.parameter"] == "top_k");
        }

        Assert.Null(inner.Calls[0].Options!.TopK);
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<(Microsoft.Extensions.Logging.LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }

    [Fact]
    public async Task Each_kind_of_change_is_logged_once_at_debug_level()
    {
        var logger = new ListLogger();
        var inner = new FakeChatClient { Profile = new ProviderProfile { Name = "p", Quirks = new ProviderQuirks { UnsupportedParameters = ["top_k", "seed"] } } };
        using var client = new ParameterSanitizingChatClient(inner, logger: logger);
        await client.GetResponseAsync("hi", new ChatOptions { TopK = 5 });
        await client.GetResponseAsync("hi", new ChatOptions { TopK = 6 });
        await client.GetResponseAsync("hi", new ChatOptions { Seed = 1 });

        Assert.Equal(2, logger.Entries.Count);
        Assert.All(logger.Entries, static e => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, e.Level));
        Assert.Contains("'top_k'", logger.Entries[0].Message);
        Assert.Contains("'p'", logger.Entries[0].Message);
        Assert.Contains("'seed'", logger.Entries[1].Message);
    }

    [Fact]
    public async Task Stream_options_come_off_the_body_even_without_chat_options()
    {
        var (adapter, wire) = WireCapture.For("mistral");
        using var client = new ParameterSanitizingChatClient(adapter);
        await foreach (var _ in client.GetStreamingResponseAsync("hi"))
        {
        }

        Assert.True(wire.Bodies[0]["stream"]!.GetValue<bool>());
        Assert.False(wire.Bodies[0].ContainsKey("stream_options"));
    }

    [Fact]
    public async Task Options_that_need_no_change_are_passed_through_as_is()
    {
        var inner = new FakeChatClient { Profile = new ProviderProfile { Name = "p", Quirks = new ProviderQuirks() } };
        using var client = new ParameterSanitizingChatClient(inner);
        var options = new ChatOptions { Temperature = 0.5f };
        await client.GetResponseAsync("hi", options);
        Assert.Same(options, inner.Calls[0].Options);
    }
}
