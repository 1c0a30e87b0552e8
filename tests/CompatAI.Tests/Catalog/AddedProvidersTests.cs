using System.Text.Json;
using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Catalog;

/// <summary>The providers added in issue 16, against the emulator and the loopback server.</summary>
public sealed class AddedProvidersTests
{
    /// <summary>Each added provider with the emulator personality that speaks its dialect and a model to ask for.</summary>
    public static TheoryData<string, string, string> AddedProviders() => new()
    {
        { "azure", "openai", "my-gpt-4o-mini-deployment" },
        { "deepinfra", "openai", "meta-llama/Llama-3.3-70B-Instruct" },
        { "baseten", "openai", "deepseek-ai/DeepSeek-V3.1" },
        { "siliconflow", "openai", "Qwen/Qwen3-32B" },
        { "siliconflow-cn", "openai", "Qwen/Qwen3-32B" },
        { "novita", "openai", "meta-llama/llama-3.3-70b-instruct" },
        { "github", "openai", "openai/gpt-4.1-mini" },
        { "scaleway", "openai", "llama-3.3-70b-instruct" },
        { "vertex", "openai", "google/gemini-flash-latest" },
        { "ollama-cloud", "openai", "gpt-oss:120b" },
        { "minimax-cn", "minimax", "MiniMax-M2.7" },
        { "dashscope-us", "openai", "qwen-plus" },
        { "zai-coding", "openai", "glm-4.6" },
    };

    /// <summary>A tool loop through each added provider's default pipeline, with its auth style, against an emulator that demands the key.</summary>
    [Theory]
    [MemberData(nameof(AddedProviders))]
    public async Task A_tool_loop_runs_through_the_providers_pipeline(string provider, string personality, string model)
    {
        var profile = ProviderCatalog.Default.Get(provider);
        var header = profile.AuthStyle == ProviderAuthStyle.ApiKey ? "api-key" : "Authorization";
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1", RequiredApiKey = "added-key", RequiredApiKeyHeader = header });
        var invoked = 0;
        using var client = new ChatClientBuilder(CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = provider,
            Endpoint = emulator.GetEndpoint(personality),
            ApiKey = "added-key",
            Model = model,
            Retry = new RetryOptions { MaxRetries = 0 },
        })).UseFunctionInvocation().Build();
        var options = new ChatOptions { Instructions = "Be brief.", Tools = [AIFunctionFactory.Create((string city) => { invoked++; return $"sunny in {city}"; }, "get_weather")] };

        var response = await client.GetResponseAsync("Use get_weather for Paris.", options);

        Assert.Equal(1, invoked);
        Assert.Contains("sunny in", response.Text, StringComparison.Ordinal);
        Assert.All(emulator.Requests, r => Assert.Equal(header == "api-key" ? "added-key" : "Bearer added-key", r.Headers[header]));
    }

    [Fact]
    public async Task Azure_with_an_entra_token_provider_sends_its_bearer_token_on_each_request_and_no_api_key()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1", RequiredApiKey = "entra-token", RequiredApiKeyHeader = "Authorization" });
        var asked = 0;
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "azure",
            Endpoint = emulator.GetEndpoint("openai"),
            Model = "my-deployment",
            TokenProvider = _ => { asked++; return ValueTask.FromResult("entra-token"); },
            Retry = new RetryOptions { MaxRetries = 0 },
        });

        await client.GetResponseAsync("hello");
        var streamed = await client.GetStreamingResponseAsync("again").ToChatResponseAsync();

        Assert.NotEmpty(streamed.Text);
        Assert.Equal(2, asked);
        Assert.All(emulator.Requests, r =>
        {
            Assert.Equal("Bearer entra-token", r.Headers["Authorization"]);
            Assert.False(r.Headers.ContainsKey("api-key"));
        });
    }

    [Fact]
    public void Azure_needs_no_key_when_a_token_provider_is_given_and_names_the_key_otherwise()
    {
        var missing = Assert.Throws<ArgumentException>(() => CompatChatClient.Create(new CompatChatClientOptions { Provider = "azure", Endpoint = new Uri("https://contoso.openai.azure.com/openai/v1/"), Model = "d", ApiKey = string.Empty }));
        Assert.Contains("AZURE_OPENAI_API_KEY", missing.Message, StringComparison.Ordinal);

        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "foundry", Endpoint = new Uri("https://contoso.openai.azure.com/openai/v1/"), Model = "d", TokenProvider = _ => ValueTask.FromResult("t") });
        Assert.Equal("azure", client.GetService<ChatClientMetadata>()!.ProviderName);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Azure_filtered_output_ends_with_ContentFilter_and_carries_the_categories(bool streaming)
    {
        await using var server = await LoopbackServer.StartAsync();
        const string Filters = """{"hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"high"}}""";
        const string Prompt = """[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]""";
        server.Enqueue(streaming
            ? ScriptedResponse.Sse($$$$"""
                data: {"id":"","object":"","created":0,"model":"","prompt_filter_results":{{{{Prompt}}}},"choices":[]}

                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Part"},"finish_reason":null,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}

                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"content_filter","content_filter_results":{{{{Filters}}}}}]}

                data: [DONE]


                """)
            : ScriptedResponse.Json($$$$"""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","prompt_filter_results":{{{{Prompt}}}},"choices":[{"index":0,"message":{"role":"assistant","content":"Part"},"finish_reason":"content_filter","content_filter_results":{{{{Filters}}}}}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"""));
        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "azure", Endpoint = server.V1, ApiKey = ClientFactory.TestKey, Model = "my-deployment", Retry = new RetryOptions { MaxRetries = 0 } });

        ChatFinishReason? finish;
        JsonElement content;
        JsonElement prompt;
        if (streaming)
        {
            var updates = await client.GetStreamingResponseAsync("tell me").ToListAsync();
            finish = updates.Select(u => u.FinishReason).LastOrDefault(f => f is not null);
            content = (JsonElement)updates.Last(u => u.AdditionalProperties?.ContainsKey(ContentFilterResultsChatClient.ContentFilterResultsKey) == true).AdditionalProperties![ContentFilterResultsChatClient.ContentFilterResultsKey]!;
            prompt = (JsonElement)updates.First(u => u.AdditionalProperties?.ContainsKey(ContentFilterResultsChatClient.PromptFilterResultsKey) == true).AdditionalProperties![ContentFilterResultsChatClient.PromptFilterResultsKey]!;
        }
        else
        {
            var response = await client.GetResponseAsync("tell me");
            finish = response.FinishReason;
            content = (JsonElement)response.AdditionalProperties![ContentFilterResultsChatClient.ContentFilterResultsKey]!;
            prompt = (JsonElement)response.AdditionalProperties![ContentFilterResultsChatClient.PromptFilterResultsKey]!;
        }

        Assert.Equal(ChatFinishReason.ContentFilter, finish);
        Assert.True(content.GetProperty("violence").GetProperty("filtered").GetBoolean());
        Assert.Equal("high", content.GetProperty("violence").GetProperty("severity").GetString());
        Assert.Equal("safe", prompt[0].GetProperty("content_filter_results").GetProperty("hate").GetProperty("severity").GetString());
    }

    [Fact]
    public async Task Azure_content_filter_refusal_is_a_ContentFiltered_error()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"violence":{"filtered":true,"severity":"high"}}}}}""", 400));
        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "azure", Endpoint = server.V1, ApiKey = ClientFactory.TestKey, Model = "my-deployment", Retry = new RetryOptions { MaxRetries = 0 } });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("bad"));

        Assert.Equal(ProviderErrorKind.ContentFiltered, ex.Kind);
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains("\"violence\"", ex.ResponseBody, StringComparison.Ordinal);
    }
}
