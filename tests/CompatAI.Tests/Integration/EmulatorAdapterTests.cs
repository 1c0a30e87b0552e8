using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Integration;

/// <summary>The bare adapter against every emulator personality, and each injected fault as the typed error a caller sees.</summary>
public sealed class EmulatorAdapterTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public static TheoryData<string, string> Personalities() => new()
    {
        { "openai", "gpt-4o-mini" },
        { "groq", "llama-3.3-70b-versatile" },
        { "deepseek", "deepseek-chat" },
        { "openrouter", "openai/gpt-4o-mini" },
        { "mistral", "mistral-large-latest" },
        { "minimax", "MiniMax-M1" },
        { "perplexity", "sonar" },
        { "vllm", "meta-llama/Llama-3.1-8B-Instruct" },
        { "llamacpp", "llama-3.1-8b" },
    };

    private OpenAICompatibleChatClient Client(string personality, string model, int retries = 0, TimeSpan? timeout = null) => new(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = _emulator.GetEndpoint(personality),
        ApiKey = "emulator-key-0000000000",
        Model = model,
        Timeout = timeout,
        Retry = new RetryOptions { MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(10) },
    });

    [Theory]
    [MemberData(nameof(Personalities))]
    public async Task Every_personality_answers_through_the_adapter_streaming_and_not(string personality, string model)
    {
        using var client = Client(personality, model);

        var response = await client.GetResponseAsync("hello there");
        var streamed = await client.GetStreamingResponseAsync("hello there").ToChatResponseAsync();

        Assert.Equal("You said: hello there", response.Text);
        Assert.Equal("You said: hello there", streamed.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatFinishReason.Stop, streamed.FinishReason);
        Assert.True(response.Usage?.TotalTokenCount > 0);
        Assert.Equal(personality, client.GetService<ChatClientMetadata>()!.ProviderName);
    }

    [Fact]
    public async Task Status_fault_with_retry_after_is_rate_limited_and_says_how_long()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(3)));
        using var client = Client("openai", "gpt-4o-mini");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.RateLimited, ex.Kind);
        Assert.Equal(429, ex.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), ex.RetryAfter);
    }

    [Fact]
    public async Task Short_retry_after_is_waited_out_and_the_request_succeeds()
    {
        _emulator.EnqueueFault("groq", EmulatorFault.WithStatus(503, TimeSpan.FromMilliseconds(100)));
        using var client = Client("groq", "llama-3.3-70b-versatile", retries: 1);

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("You said: hi", response.Text);
    }

    [Fact]
    public async Task Connection_reset_is_unavailable()
    {
        _emulator.EnqueueFault("vllm", EmulatorFault.Reset());
        using var client = Client("vllm", "m");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.Unavailable, ex.Kind);
    }

    [Fact]
    public async Task Hang_becomes_a_timeout()
    {
        _emulator.EnqueueFault("mistral", EmulatorFault.HangForever());
        using var client = Client("mistral", "mistral-small-latest", timeout: TimeSpan.FromMilliseconds(300));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.Timeout, ex.Kind);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("deepseek")]
    [InlineData("openrouter")]
    [InlineData("llamacpp")]
    public async Task Stream_cut_without_done_is_interrupted_after_the_text_so_far(string personality)
    {
        _emulator.EnqueueFault(personality, EmulatorFault.CutAfter(3));
        using var client = Client(personality, "m");

        var updates = new List<ChatResponseUpdate>();
        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("one two three four five six seven"))
            {
                updates.Add(update);
            }
        });

        Assert.Equal(ProviderErrorKind.StreamInterrupted, ex.Kind);
        Assert.True(ex.OutputStarted);
        Assert.NotEmpty(updates);
        Assert.StartsWith(string.Concat(updates.Select(u => u.Text)), "You said: one two three four five six seven", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai", ProviderErrorKind.ServerError, null)] // {"error":{"type":"server_error","code":null}}: no status in the body
    [InlineData("groq", ProviderErrorKind.ServerError, null)] // event: error, {"error":{"type":"internal_server_error"}}
    [InlineData("openrouter", ProviderErrorKind.Unavailable, 502)] // {"error":{"code":502,"metadata":{...}}}
    [InlineData("vllm", ProviderErrorKind.ServerError, 500)] // {"error":{"type":"InternalServerError","code":500}}
    [InlineData("llamacpp", ProviderErrorKind.ServerError, 500)] // {"error":{"code":500,"type":"server_error"}}
    public async Task Error_mid_stream_throws_after_the_text_so_far_classified_by_its_body(string personality, ProviderErrorKind kind, int? status)
    {
        _emulator.EnqueueFault(personality, EmulatorFault.ErrorAfter(2));
        using var client = Client(personality, "m");

        var text = new System.Text.StringBuilder();
        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("alpha beta gamma delta epsilon"))
            {
                text.Append(update.Text);
            }
        });

        Assert.Equal(kind, ex.Kind);
        Assert.Equal(status, ex.StatusCode);
        Assert.True(ex.OutputStarted);
        Assert.StartsWith(text.ToString(), "You said: alpha beta gamma delta epsilon", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mistral_tool_call_deltas_without_index_arrive_as_separate_complete_calls()
    {
        using var client = Client("mistral", "mistral-large-latest");
        AIFunction[] tools = [AIFunctionFactory.Create((string city) => city, "get_weather"), AIFunctionFactory.Create((string zone) => zone, "get_time")];

        var response = await client.GetStreamingResponseAsync("call get_weather and get_time", new ChatOptions { Tools = [.. tools] }).ToChatResponseAsync();

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["get_weather", "get_time"], calls.Select(c => c.Name));
        Assert.All(calls, c => Assert.Matches("^[A-Za-z0-9]{9}$", c.CallId));
        Assert.All(calls, c => Assert.NotNull(c.Arguments));
    }
}
