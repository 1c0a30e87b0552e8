using System.Text.Json;
using System.Text.Json.Nodes;
using CompatAI;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.ParameterSanitizing;

/// <summary>
/// What the sanitizer puts on the wire, over CompatAI's adapter and over a bare MEAI.OpenAI <c>AsIChatClient()</c>:
/// every test runs over both and reads the JSON body the OpenAI SDK sent.
/// </summary>
public sealed class ParameterSanitizingChatClientTests
{
    private static readonly AIFunction s_weather = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

    private static async Task DrainAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        await foreach (var _ in updates)
        {
        }
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Mistral_gets_random_seed_max_tokens_any_and_no_stream_options(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "mistral");
        using var client = rig.Sanitizer();
        var options = new ChatOptions
        {
            Seed = 42,
            MaxOutputTokens = 100,
            Tools = [s_weather],
            ToolMode = ChatToolMode.RequireAny,
        };
        await DrainAsync(client.GetStreamingResponseAsync("hi", options));

        var body = rig.Wire.Bodies[0];
        Assert.Equal(42, body["random_seed"]!.GetValue<long>());
        Assert.False(body.ContainsKey("seed"));
        Assert.Equal(100, body["max_tokens"]!.GetValue<int>());
        Assert.False(body.ContainsKey("max_completion_tokens"));
        Assert.Equal("any", body["tool_choice"]!.GetValue<string>());
        Assert.False(body.ContainsKey("stream_options"));
        Assert.Equal(42, options.Seed);
        Assert.Equal(100, options.MaxOutputTokens);
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Mistral_random_seed_is_sent_for_a_seed_given_as_an_extra_field_too(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "mistral");
        using var client = rig.Sanitizer();
        await client.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["seed"] = 7 } });

        var body = rig.Wire.Bodies[0];
        Assert.Equal(7, body["random_seed"]!.GetValue<int>());
        Assert.False(body.ContainsKey("seed"));
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task A_provider_that_wants_max_tokens_gets_max_tokens_and_not_max_completion_tokens(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "deepseek", "deepseek-chat");
        using var client = rig.Sanitizer();
        var response = await client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 321 });

        var body = rig.Wire.Bodies[0];
        Assert.Equal(321, body["max_tokens"]!.GetValue<int>());
        Assert.False(body.ContainsKey("max_completion_tokens"));
        var changes = Assert.IsAssignableFrom<IReadOnlyList<SanitizerChange>>(response.AdditionalProperties![ParameterSanitizingChatClient.ChangesKey]);
        Assert.Contains(changes, static c => c.Parameter == "max_completion_tokens" && c.Action == "renamed to max_tokens" && !c.Lossy);
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task A_max_completion_tokens_set_by_the_callers_raw_factory_does_not_go_out_beside_max_tokens(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "deepseek", "deepseek-chat");
        using var client = rig.Sanitizer();
        await client.GetResponseAsync("hi", new ChatOptions
        {
            MaxOutputTokens = 321,
            RawRepresentationFactory = static _ => new OpenAI.Chat.ChatCompletionOptions { MaxOutputTokenCount = 999 },
        });

        var body = rig.Wire.Bodies[0];
        Assert.Equal(321, body["max_tokens"]!.GetValue<int>());
        Assert.False(body.ContainsKey("max_completion_tokens"));
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Reasoning_model_rules_drop_sampling_parameters_and_keep_max_completion_tokens(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "openai", "o3-mini");
        using var client = rig.Sanitizer();
        var response = await client.GetResponseAsync("hi", new ChatOptions { Temperature = 0.2f, TopP = 0.9f, MaxOutputTokens = 50 });

        var body = rig.Wire.Bodies[0];
        Assert.False(body.ContainsKey("temperature"));
        Assert.False(body.ContainsKey("top_p"));
        Assert.Equal(50, body["max_completion_tokens"]!.GetValue<int>());
        Assert.False(body.ContainsKey("max_tokens"));
        var changes = Assert.IsAssignableFrom<IReadOnlyList<SanitizerChange>>(response.AdditionalProperties![ParameterSanitizingChatClient.ChangesKey]);
        Assert.Contains(changes, static c => c.Parameter == "temperature" && c.Action == "dropped");
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task DeepSeek_thinking_given_as_an_extra_field_reaches_the_wire(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "deepseek", "deepseek-chat");
        using var client = rig.Sanitizer();
        using var budget = JsonDocument.Parse("""{"type":"enabled"}""");
        await client.GetResponseAsync("hi", new ChatOptions
        {
            AdditionalProperties = new()
            {
                ["thinking"] = budget.RootElement.Clone(),
                ["user_tag"] = new Dictionary<string, int> { ["n"] = 2 },
                ["nothing"] = null,
            },
        });

        var body = rig.Wire.Bodies[0];
        Assert.Equal("enabled", body["thinking"]!["type"]!.GetValue<string>());
        Assert.Equal(2, body["user_tag"]!["n"]!.GetValue<int>());
        Assert.True(body.ContainsKey("nothing"));
        Assert.Null(body["nothing"]);
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task The_callers_options_are_left_unchanged_and_its_raw_factory_is_still_applied(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "mistral");
        using var client = rig.Sanitizer(new ParameterSanitizingOptions { QuirksOverride = new ProviderQuirks { UnsupportedParameters = ["stream_options", "logit_bias"] } });
        Func<IChatClient, object?> factory = static _ => new OpenAI.Chat.ChatCompletionOptions { EndUserId = "user-1" };
        var extras = new AdditionalPropertiesDictionary { ["seed"] = 7, ["logit_bias"] = new Dictionary<string, int> { ["1"] = 1 }, ["safe_prompt"] = true };
        var tools = new List<AITool> { s_weather };
        var stops = new List<string> { "a", "b", "c", "d", "e" };
        var options = new ChatOptions
        {
            Seed = 42,
            MaxOutputTokens = 100,
            TopK = 3,
            Tools = tools,
            ToolMode = ChatToolMode.RequireAny,
            StopSequences = stops,
            AdditionalProperties = extras,
            RawRepresentationFactory = factory,
        };
        string before = Describe(options);

        await client.GetResponseAsync([new ChatMessage(new ChatRole("developer"), "be brief") { AuthorName = "ops" }, new ChatMessage(ChatRole.User, "hi")], options);

        Assert.Equal(before, Describe(options));
        Assert.Same(extras, options.AdditionalProperties);
        Assert.Same(tools, options.Tools);
        Assert.Same(stops, options.StopSequences);
        Assert.Same(factory, options.RawRepresentationFactory);
        var body = rig.Wire.Bodies[0];
        Assert.Equal("user-1", body["user"]!.GetValue<string>());
        Assert.Equal(42, body["random_seed"]!.GetValue<int>()); // The typed Seed wins over the extra "seed", as it always has.
        Assert.Equal(100, body["max_tokens"]!.GetValue<int>());
        Assert.True(body["safe_prompt"]!.GetValue<bool>());
        Assert.False(body.ContainsKey("seed"));
        Assert.False(body.ContainsKey("logit_bias"));
        Assert.Equal("any", body["tool_choice"]!.GetValue<string>());

        static string Describe(ChatOptions o) => string.Join(
            "|",
            o.Seed,
            o.MaxOutputTokens,
            o.TopK,
            o.ToolMode,
            o.Instructions,
            string.Join(",", o.Tools!.Select(static t => t.Name)),
            string.Join(",", o.StopSequences!),
            string.Join(",", o.AdditionalProperties!.Select(static p => p.Key + "=" + JsonSerializer.Serialize(p.Value))));
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Mistral_tool_call_ids_are_remapped_consistently_and_names_dropped(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "mistral");
        using var client = rig.Sanitizer();
        List<ChatMessage> history =
        [
            new(ChatRole.User, "weather?") { AuthorName = "alice" },
            new(ChatRole.Assistant, [new FunctionCallContent("call_abc123456789", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_abc123456789", "sunny")]),
        ];
        await client.GetResponseAsync(history);
        await client.GetResponseAsync(history);

        var messages = rig.Wire.Bodies[0]["messages"]!.AsArray();
        string id = messages[1]!["tool_calls"]![0]!["id"]!.GetValue<string>();
        Assert.Matches("^[A-Za-z0-9]{9}$", id);
        Assert.Equal(id, messages[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal(id, rig.Wire.Bodies[1]["messages"]![1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.False(messages[0]!.AsObject().ContainsKey("name"));
        Assert.Equal("call_abc123456789", ((FunctionCallContent)history[1].Contents[0]).CallId);
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Strict_mode_throws_naming_parameter_and_provider_before_any_network_call(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "openai", "o3-mini");
        using var client = rig.Sanitizer(new ParameterSanitizingOptions { Mode = ParameterSanitizerMode.Strict });
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi", new ChatOptions { Temperature = 0.2f }));
        Assert.Contains("'temperature'", ex.Message);
        Assert.Contains("'openai'", ex.Message);
        Assert.Empty(rig.Wire.Bodies);
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Passthrough_sends_the_request_as_shaped(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "openai", "o3-mini");
        using var client = rig.Sanitizer(new ParameterSanitizingOptions { Mode = ParameterSanitizerMode.Passthrough });
        await client.GetResponseAsync("hi", new ChatOptions { Temperature = 0.2f });
        Assert.Equal(0.2, rig.Wire.Bodies[0]["temperature"]!.GetValue<double>(), 3);
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Stop_sequences_are_capped_and_unsupported_extras_dropped(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "groq");
        using var client = rig.Sanitizer(new ParameterSanitizingOptions { QuirksOverride = new ProviderQuirks { MaxStopSequences = 2 } });
        await client.GetResponseAsync("hi", new ChatOptions
        {
            StopSequences = ["a", "b", "c"],
            AdditionalProperties = new() { ["logit_bias"] = new Dictionary<string, int> { ["50256"] = -100 }, ["keep_me"] = 1 },
        });

        var body = rig.Wire.Bodies[0];
        Assert.Equal(["a", "b"], body["stop"]!.AsArray().Select(static n => n!.GetValue<string>()));
        Assert.False(body.ContainsKey("logit_bias"));
        Assert.Equal(1, body["keep_me"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Json_schema_is_downgraded_to_json_mode_with_the_schema_in_the_prompt_where_unsupported(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "deepseek");
        using var client = rig.Sanitizer();
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"answer":{"type":"string"}}}""");
        await client.GetResponseAsync("hi", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement.Clone(), "answer") });

        var body = rig.Wire.Bodies[0];
        Assert.Equal("json_object", body["response_format"]!["type"]!.GetValue<string>());
        string system = body["messages"]![0]!["content"]!.ToString();
        Assert.Contains("\"answer\"", system);
        Assert.Contains("JSON schema", system);
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Developer_role_is_mapped_to_system_where_rejected(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "deepseek");
        using var client = rig.Sanitizer();
        await client.GetResponseAsync([new ChatMessage(new ChatRole("developer"), "be brief"), new ChatMessage(ChatRole.User, "hi")]);
        Assert.Equal("system", rig.Wire.Bodies[0]["messages"]![0]!["role"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Named_tool_choice_is_emulated_where_unsupported(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "openai", profile: new ProviderProfile { Name = "p", Quirks = new ProviderQuirks { SupportsNamedToolChoice = false } });
        using var client = rig.Sanitizer();
        await client.GetResponseAsync("hi", new ChatOptions
        {
            Tools = [AIFunctionFactory.Create(() => 1, "a"), AIFunctionFactory.Create(() => 2, "b")],
            ToolMode = ChatToolMode.RequireSpecific("b"),
        });

        var body = rig.Wire.Bodies[0];
        var tool = Assert.Single(body["tools"]!.AsArray());
        Assert.Equal("b", tool!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("required", body["tool_choice"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Tool_choice_the_provider_rejects_is_kept_off_the_wire(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "openai", profile: new ProviderProfile { Name = "p", Quirks = new ProviderQuirks { UnsupportedParameters = ["tool_choice", "parallel_tool_calls"] } });
        using var client = rig.Sanitizer();
        await client.GetResponseAsync("hi", new ChatOptions { Tools = [s_weather] });
        var response = await client.GetResponseAsync("hi", new ChatOptions { Tools = [s_weather], ToolMode = ChatToolMode.RequireAny, AllowMultipleToolCalls = false });

        Assert.Equal(2, rig.Wire.Bodies.Count);
        Assert.All(rig.Wire.Bodies, static body =>
        {
            Assert.Single(body["tools"]!.AsArray());
            Assert.False(body.ContainsKey("tool_choice"));
            Assert.False(body.ContainsKey("parallel_tool_calls"));
        });
        var changes = Assert.IsAssignableFrom<IReadOnlyList<SanitizerChange>>(response.AdditionalProperties![ParameterSanitizingChatClient.ChangesKey]);
        Assert.Contains(changes, static c => c.Parameter == "tool_choice" && c.Action == "dropped");
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task An_unsupported_tool_choice_value_is_left_to_the_providers_default(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "openai", profile: new ProviderProfile { Name = "p", Quirks = new ProviderQuirks { SupportedToolChoiceValues = ["none", "auto"] } });
        using var client = rig.Sanitizer();
        await client.GetResponseAsync("hi", new ChatOptions { Tools = [s_weather], ToolMode = ChatToolMode.RequireAny });

        var body = rig.Wire.Bodies[0];
        Assert.Single(body["tools"]!.AsArray());
        Assert.False(body.ContainsKey("tool_choice"));
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Tool_call_only_content_is_sent_as_empty_string_where_required(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "openai", profile: new ProviderProfile { Name = "p", Quirks = new ProviderQuirks { ToolCallContent = ToolCallContentStyle.EmptyString } });
        using var client = rig.Sanitizer();
        await client.GetResponseAsync([new(ChatRole.User, "x"), new(ChatRole.Assistant, [new FunctionCallContent("c1", "f")]), new(ChatRole.Tool, [new FunctionResultContent("c1", "r")])]);

        var assistant = rig.Wire.Bodies[0]["messages"]![1]!.AsObject();
        Assert.Equal("c1", assistant["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(string.Empty, assistant["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Changes_are_counted_on_the_CompatAI_meter_and_recorded_as_activity_events(InnerKind kind)
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

        string provider = "metered-" + kind;
        var rig = SanitizerInner.Create(kind, "openai", profile: new ProviderProfile { Name = provider, Quirks = new ProviderQuirks { UnsupportedParameters = ["top_k", "seed"] } });
        using var client = rig.Sanitizer();
        using (var activity = source.StartActivity("call"))
        {
            await client.GetResponseAsync("hi", new ChatOptions { TopK = 5, Seed = 3 });
            Assert.Contains(activity!.Events, static e => e.Name == "compatai.sanitizer.change" && e.Tags.Any(static t => t.Key == "compatai.parameter" && (string?)t.Value == "top_k"));
        }

        lock (seen)
        {
            Assert.Contains(seen, m => m.Value == 1 && (string?)m.Tags["compatai.provider"] == provider && (string?)m.Tags["compatai.parameter"] == "top_k");
            Assert.Contains(seen, m => m.Value == 1 && (string?)m.Tags["compatai.provider"] == provider && (string?)m.Tags["compatai.parameter"] == "seed");
        }

        Assert.False(rig.Wire.Bodies[0].ContainsKey("top_k"));
        Assert.False(rig.Wire.Bodies[0].ContainsKey("seed"));
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

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Each_kind_of_change_is_logged_once_at_debug_level(InnerKind kind)
    {
        var logger = new ListLogger();
        var rig = SanitizerInner.Create(kind, "openai", profile: new ProviderProfile { Name = "p", Quirks = new ProviderQuirks { UnsupportedParameters = ["top_k", "seed"] } });
        using var client = rig.Sanitizer(logger: logger);
        await client.GetResponseAsync("hi", new ChatOptions { TopK = 5 });
        await client.GetResponseAsync("hi", new ChatOptions { TopK = 6 });
        await client.GetResponseAsync("hi", new ChatOptions { Seed = 1 });

        Assert.Equal(2, logger.Entries.Count);
        Assert.All(logger.Entries, static e => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, e.Level));
        Assert.Contains("'top_k'", logger.Entries[0].Message);
        Assert.Contains("'p'", logger.Entries[0].Message);
        Assert.Contains("'seed'", logger.Entries[1].Message);
        Assert.Equal(3, rig.Wire.Bodies.Count);
        Assert.False(rig.Wire.Bodies[2].ContainsKey("seed"));
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Stream_options_come_off_the_body_even_without_chat_options(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "mistral");
        using var client = rig.Sanitizer();
        await DrainAsync(client.GetStreamingResponseAsync("hi"));

        Assert.True(rig.Wire.Bodies[0]["stream"]!.GetValue<bool>());
        Assert.False(rig.Wire.Bodies[0].ContainsKey("stream_options"));
    }

    [Theory]
    [InlineData(InnerKind.CompatAdapter)]
    [InlineData(InnerKind.MeaiOpenAI)]
    public async Task Options_that_need_no_change_are_passed_through_as_is(InnerKind kind)
    {
        var rig = SanitizerInner.Create(kind, "openai", profile: new ProviderProfile { Name = "p", Quirks = new ProviderQuirks() });
        var seen = new List<ChatOptions?>();
        using var recorder = new RecordingChatClient(rig.Inner, seen);
        using var client = new ParameterSanitizingChatClient(recorder, rig.Profile);
        var options = new ChatOptions { Temperature = 0.5f, MaxOutputTokens = 20 };
        var response = await client.GetResponseAsync("hi", options);

        Assert.Same(options, Assert.Single(seen));
        Assert.Equal(0.5, rig.Wire.Bodies[0]["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(20, rig.Wire.Bodies[0]["max_completion_tokens"]!.GetValue<int>());
        Assert.False(response.AdditionalProperties?.ContainsKey(ParameterSanitizingChatClient.ChangesKey) ?? false);
    }

    /// <summary>Records the options each request reaches it with, then sends it on.</summary>
    private sealed class RecordingChatClient(IChatClient inner, List<ChatOptions?> seen) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            seen.Add(options);
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }
}
