using System.Text.Json.Nodes;
using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Catalog;

/// <summary>The quirk corrections of issue 16, each observed on the wire (loopback server) or against an emulator personality.</summary>
public sealed class CatalogCorrectionsTests
{
    private static readonly string s_ok = Fixtures.Text("deepseek-reasoner-nonstream.json");

    private static IChatClient Pipeline(LoopbackServer server, string provider, string model) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = provider,
        Endpoint = server.V1,
        ApiKey = ClientFactory.TestKey,
        Model = model,
        Retry = new RetryOptions { MaxRetries = 0 },
    });

    [Fact]
    public async Task Mistral_receives_a_named_tool_choice_as_is()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = Pipeline(server, "mistral", "mistral-small-latest");

        await client.GetResponseAsync("weather?", new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((string city) => city, "get_weather"), AIFunctionFactory.Create(() => 1, "get_time")],
            ToolMode = ChatToolMode.RequireSpecific("get_weather"),
        });

        var body = JsonNode.Parse(server.LastRequest.Body)!;
        Assert.Equal(2, body["tools"]!.AsArray().Count);
        Assert.Equal("function", body["tool_choice"]!["type"]!.ToString());
        Assert.Equal("get_weather", body["tool_choice"]!["function"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Named_tool_choice_reaches_the_mistral_emulator_and_forces_the_tool()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1" });
        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "mistral", Endpoint = emulator.GetEndpoint("mistral"), ApiKey = "k", Retry = { MaxRetries = 0 } });

        var response = await client.GetResponseAsync("weather in Lyon?", new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((string city) => city, "get_weather")],
            ToolMode = ChatToolMode.RequireSpecific("get_weather"),
        });

        Assert.Equal("get_weather", Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()).Name);
    }

    [Fact]
    public async Task XAI_live_search_parameters_are_dropped_and_its_dead_fields_are_not_read()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = Pipeline(server, "xai", "grok-4.3");

        var response = await client.GetResponseAsync("news?", new ChatOptions { AdditionalProperties = new() { ["search_parameters"] = new Dictionary<string, object?> { ["mode"] = "auto" } } });

        Assert.False(JsonNode.Parse(server.LastRequest.Body)!.AsObject().ContainsKey("search_parameters"));
        var changes = Assert.IsAssignableFrom<IReadOnlyList<SanitizerChange>>(response.AdditionalProperties![ParameterSanitizingChatClient.ChangesKey]);
        Assert.Contains(changes, c => c.Parameter == "search_parameters" && c.Action == "dropped");
        var quirks = ProviderCatalog.Default.Get("xai").GetQuirks("grok-4.3");
        Assert.Empty(quirks.CitationFields!);
        Assert.DoesNotContain("num_sources_used", quirks.UsageFields!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Moonshot_top_level_cached_tokens_become_the_cached_input_count(bool streaming)
    {
        await using var server = await LoopbackServer.StartAsync();
        const string Usage = """{"prompt_tokens":120,"completion_tokens":5,"total_tokens":125,"cached_tokens":100}""";
        server.Enqueue(streaming
            ? ScriptedResponse.Sse($$"""
                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"kimi-k2.6","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}

                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"kimi-k2.6","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{{Usage}}}

                data: [DONE]


                """)
            : ScriptedResponse.Json($$"""{"id":"c1","object":"chat.completion","created":1,"model":"kimi-k2.6","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{{Usage}}}"""));
        using var client = Pipeline(server, "moonshot", "kimi-k2.6");

        var response = streaming ? await client.GetStreamingResponseAsync("hi").ToChatResponseAsync() : await client.GetResponseAsync("hi");

        Assert.Equal(100, response.Usage!.CachedInputTokenCount);
        Assert.Equal(120, response.Usage.InputTokenCount);
    }

    [Fact]
    public async Task LM_Studio_sends_its_optional_token_as_a_bearer_key_to_a_server_that_requires_one()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1", RequiredApiKey = "lm-token-123" });
        using var withToken = CompatChatClient.Create(new CompatChatClientOptions { Provider = "lmstudio", Endpoint = emulator.GetEndpoint("lmstudio"), ApiKey = "lm-token-123", Model = "qwen2.5-7b-instruct", Retry = { MaxRetries = 0 } });

        var response = await withToken.GetResponseAsync("hello");

        Assert.NotEmpty(response.Text);
        Assert.Equal("Bearer lm-token-123", emulator.Requests[^1].Headers["Authorization"]);
        var profile = ProviderCatalog.Default.Get("lmstudio");
        Assert.Equal("LM_API_TOKEN", profile.ApiKeyEnvironmentVariable);
        Assert.False(profile.RequiresApiKey);
        Assert.Equal(ProviderAuthStyle.Bearer, profile.AuthStyle);
    }

    [Fact]
    public void Together_uses_its_documented_host() =>
        Assert.Equal(new Uri("https://api.together.ai/v1"), ProviderCatalog.Default.Get("together").BaseUrl);

    [Theory]
    [InlineData("kimi-k3", true)]
    [InlineData("kimi-k3-turbo", true)]
    [InlineData("kimi-k2-0905-preview", false)]
    public void Kimi_k3_models_have_fixed_sampling(string model, bool fixedSampling)
    {
        var unsupported = ProviderCatalog.Default.Get("moonshot").GetQuirks(model).UnsupportedParameters ?? [];
        Assert.Equal(fixedSampling, unsupported.Contains("temperature"));
        Assert.Equal(fixedSampling, unsupported.Contains("top_p"));
        Assert.Equal(fixedSampling, unsupported.Contains("n"));
        Assert.Equal(fixedSampling, unsupported.Contains("presence_penalty"));
    }
}
