using System.ComponentModel;
using System.Text.Json.Nodes;
using CompatAI;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Chat;

/// <summary>What goes on the wire for Microsoft.Extensions.AI messages and options, read back from the loopback server.</summary>
public sealed class RequestMappingTests
{
    private static readonly string s_ok = Fixtures.Text("deepseek-reasoner-nonstream.json");

    [Description("Gets the weather for a city")]
    private static string GetWeather([Description("The city")] string city, int days = 1) => $"{city}: sunny for {days} days";

    internal static List<ChatMessage> KitchenSinkConversation() =>
    [
        new(ChatRole.System, "You are terse."),
        new(ChatRole.User, [new TextContent("What is in this picture, and the weather?"), new UriContent(new Uri("https://example.com/cat.png"), "image/png")]) { AuthorName = "Ada Lovelace" },
        new(ChatRole.Assistant, [new TextReasoningContent("thinking..."), new FunctionCallContent("call_abc123", "GetWeather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
        new(ChatRole.Tool, [new FunctionResultContent("call_abc123", new { temperature = 21, unit = "C" })]),
        new(ChatRole.User, "Thanks. Summarize."),
    ];

    internal static ChatOptions KitchenSinkOptions() => new()
    {
        Instructions = "Answer in English.",
        Temperature = 0.2f,
        TopP = 0.9f,
        TopK = 40,
        MaxOutputTokens = 100,
        FrequencyPenalty = 0.1f,
        PresencePenalty = 0.2f,
        Seed = 7,
        StopSequences = ["END"],
        ModelId = "override-model",
        Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
        Tools = [AIFunctionFactory.Create(GetWeather)],
        ToolMode = ChatToolMode.RequireAny,
        AllowMultipleToolCalls = false,
        ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"summary":{"type":"string"}},"required":["summary"]}""").RootElement, "summary"),
        AdditionalProperties = new() { ["provider"] = new Dictionary<string, object> { ["only"] = new[] { "azure" } } },
    };

    [Fact]
    public async Task Every_option_and_message_kind_lands_in_the_request_body()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = ClientFactory.For(server);

        await client.GetResponseAsync(KitchenSinkConversation(), KitchenSinkOptions());

        var body = JsonNode.Parse(server.LastRequest.Body)!;
        Assert.Equal("override-model", body["model"]!.ToString());
        Assert.Equal(0.2, body["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(0.9, body["top_p"]!.GetValue<double>(), 3);
        Assert.Equal(40, body["top_k"]!.GetValue<int>());
        Assert.Equal(100, body["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal(7, body["seed"]!.GetValue<int>());
        Assert.Equal("END", body["stop"]![0]!.ToString());
        Assert.Equal("low", body["reasoning_effort"]!.ToString());
        Assert.Equal("required", body["tool_choice"]!.ToString());
        Assert.False(body["parallel_tool_calls"]!.GetValue<bool>());
        Assert.Equal("json_schema", body["response_format"]!["type"]!.ToString());
        Assert.Equal("summary", body["response_format"]!["json_schema"]!["name"]!.ToString());
        Assert.Equal("azure", body["provider"]!["only"]![0]!.ToString());
        Assert.Equal("GetWeather", body["tools"]![0]!["function"]!["name"]!.ToString());
        Assert.Equal("string", body["tools"]![0]!["function"]!["parameters"]!["properties"]!["city"]!["type"]!.ToString());

        var messages = body["messages"]!.AsArray();
        Assert.Equal(["system", "system", "user", "assistant", "tool", "user"], messages.Select(m => m!["role"]!.ToString()));
        Assert.Equal("Answer in English.", Text(messages[0]!));
        Assert.Equal("Ada_Lovelace", messages[2]!["name"]!.ToString());
        Assert.Equal("https://example.com/cat.png", messages[2]!["content"]![1]!["image_url"]!["url"]!.ToString());
        var call = messages[3]!["tool_calls"]![0]!;
        Assert.Equal("call_abc123", call["id"]!.ToString());
        Assert.Equal("Paris", JsonNode.Parse(call["function"]!["arguments"]!.ToString())!["city"]!.ToString());
        Assert.DoesNotContain("thinking...", messages[3]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("call_abc123", messages[4]!["tool_call_id"]!.ToString());
        Assert.Equal(21, JsonNode.Parse(Text(messages[4]!))!["temperature"]!.GetValue<int>());
    }

    [Fact]
    public async Task No_tool_choice_is_sent_unless_the_caller_chose_one()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = ClientFactory.For(server);

        await client.GetResponseAsync("hi", new ChatOptions { Tools = [AIFunctionFactory.Create(GetWeather)] });

        var body = JsonNode.Parse(server.LastRequest.Body)!.AsObject();
        Assert.True(body.ContainsKey("tools"));
        Assert.False(body.ContainsKey("tool_choice"));
    }

    [Fact]
    public async Task Raw_representation_factory_is_the_base_and_typed_options_only_fill_gaps()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = ClientFactory.For(server);
        var options = new ChatOptions
        {
            Temperature = 0.9f,
            MaxOutputTokens = 50,
            RawRepresentationFactory = _ =>
            {
                var raw = new OpenAI.Chat.ChatCompletionOptions { Temperature = 0.1f };
                raw.Patch.Set("$.thinking"u8, System.BinaryData.FromString("""{"type":"enabled"}"""));
                return raw;
            },
        };

        await client.GetResponseAsync("hi", options);

        var body = JsonNode.Parse(server.LastRequest.Body)!;
        Assert.Equal(0.1, body["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(50, body["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal("enabled", body["thinking"]!["type"]!.ToString());
    }

    [Fact]
    public async Task Unsupported_content_is_a_clear_error_before_any_request()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var client = ClientFactory.For(server);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "application/zip")])]));

        Assert.Contains("application/zip", ex.Message, StringComparison.Ordinal);
        Assert.Contains("messages[0]", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Unknown_role_and_empty_conversation_are_clear_errors_before_any_request()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var client = ClientFactory.For(server);

        var role = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(new ChatRole("narrator"), "x")]));
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(Array.Empty<ChatMessage>()));

        Assert.Contains("narrator", role.Message, StringComparison.Ordinal);
        Assert.Contains("empty", empty.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    public static TheoryData<string> LiveProviders() => [.. ProviderCatalog.Default.Profiles.Where(p => p.RetiredMessage is null).Select(p => p.Name)];

    /// <summary>The exact request each provider's pipeline sends for the same conversation: body, path and the headers that matter.</summary>
    [Theory]
    [MemberData(nameof(LiveProviders))]
    public async Task Request_sent_to_each_provider_matches_its_golden_file(string provider)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        var profile = ProviderCatalog.Default.Get(provider);
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = provider,
            Endpoint = server.V1,
            ApiKey = ClientFactory.TestKey,
            Model = profile.DefaultModel ?? "test-model",
            Retry = new RetryOptions { MaxRetries = 0 },
        });

        await client.GetResponseAsync(KitchenSinkConversation(), KitchenSinkOptions());

        var request = server.LastRequest;
        var interesting = new JsonObject();
        foreach (var (name, value) in request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            var lower = name.ToLowerInvariant();
            if (lower is "authorization" or "x-api-key" or "api-key" || profile.Headers.ContainsKey(name) || (profile.AuthHeaderName is { } h && h.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                interesting[lower] = value.Replace(ClientFactory.TestKey, "<key>", StringComparison.Ordinal);
            }
        }

        var golden = new JsonObject
        {
            ["method"] = request.Method,
            ["path"] = request.Path,
            ["headers"] = interesting,
            ["body"] = JsonNode.Parse(request.Body),
        };
        Approvals.VerifyJson($"requests/{provider}", golden);
    }

    /// <summary>Model rules change the wire: one golden file per (provider, model) whose rules the catalog corrects (issue 16).</summary>
    public static TheoryData<string, string> ModelSpecificRequests() => new()
    {
        { "openai", "o3-mini" },
        { "openai", "gpt-5.1" },
        { "xai", "grok-4" },
        { "xai", "grok-4.3" },
        { "minimax", "MiniMax-M2.7" },
        { "moonshot", "kimi-k3" },
        { "deepseek", "deepseek-v4-flash" },
    };

    [Theory]
    [MemberData(nameof(ModelSpecificRequests))]
    public async Task Request_for_a_model_with_its_own_rules_matches_its_golden_file(string provider, string model)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        var profile = ProviderCatalog.Default.Get(provider);
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = provider,
            Endpoint = server.V1,
            ApiKey = ClientFactory.TestKey,
            Model = model,
            Retry = new RetryOptions { MaxRetries = 0 },
        });
        var options = KitchenSinkOptions();
        options.ModelId = null;

        await client.GetResponseAsync(KitchenSinkConversation(), options);

        var name = System.Text.RegularExpressions.Regex.Replace(model, "[^A-Za-z0-9.-]", "_");
        Approvals.VerifyJson($"requests/{provider}@{name}", GoldenRequest.From(server.LastRequest, profile));
    }

    private static string Text(JsonNode message) => message["content"] switch
    {
        JsonValue v => v.ToString(),
        JsonArray parts => string.Concat(parts.Select(p => p!["text"]?.ToString())),
        _ => string.Empty,
    };
}
