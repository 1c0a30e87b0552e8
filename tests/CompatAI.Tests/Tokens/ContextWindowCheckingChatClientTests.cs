using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Tokens;

/// <summary><c>UseContextWindowCheck</c> over real CompatAI clients on the emulator: refusals are counted as requests that never arrive.</summary>
public sealed class ContextWindowCheckingChatClientTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private IChatClient Client(string personality, string model, ProviderCatalog? catalog = null) => CompatChatClient.CreateBuilder(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Catalog = catalog,
        Retry = { MaxRetries = 0 },
    }).UseContextWindowCheck().Build();

    private static ProviderCatalog WithWindow(string provider, string pattern, int tokens)
    {
        var profile = ProviderCatalog.Default.Get(provider);
        return ProviderCatalog.Default.With(new ProviderProfile
        {
            Name = profile.Name,
            BaseUrl = profile.BaseUrl,
            DefaultModel = profile.DefaultModel,
            ApiKeyEnvironmentVariable = profile.ApiKeyEnvironmentVariable,
            ContextWindows = [new ContextWindowRule { ModelPattern = pattern, Tokens = tokens }],
        });
    }

    private int Sent(string marker) => fixture.Emulator.Requests.Count(r => r.Body.Contains(marker, StringComparison.Ordinal));

    [Fact]
    public async Task A_prompt_over_the_window_is_refused_before_the_network()
    {
        var marker = Guid.NewGuid().ToString("N");
        List<ChatMessage> prompt = [new(ChatRole.User, "tiktoken is great!")];
        // TokenCounter is checked against OpenAI's published counts in TokenCounterTests; the window leaves room for 7 output tokens.
        var promptTokens = TokenCounter.ForModel("gpt-4o-mini").CountChat(prompt).Tokens;
        using var client = Client("openai", "gpt-4o-mini", WithWindow("openai", "^gpt-4o", promptTokens + 7));

        var fits = await client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 7, AdditionalProperties = new() { ["user"] = marker } });
        var error = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 8, AdditionalProperties = new() { ["user"] = marker } }));

        Assert.NotEmpty(fits.Text);
        Assert.Equal(ProviderErrorKind.ContextLengthExceeded, error.Kind);
        Assert.Contains($"{promptTokens} tokens and asks for up to 8 more", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{promptTokens + 7}-token context window of gpt-4o-mini", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Sent(marker));
    }

    [Fact]
    public async Task Streaming_is_checked_too_and_estimates_say_so()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var client = Client("groq", "llama-3.3-70b-versatile", WithWindow("groq", "^llama", 5));

        var error = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("A prompt that does not fit " + marker))
            {
                Assert.Fail($"No update expected, got '{update.Text}'.");
            }
        });

        Assert.Equal(ProviderErrorKind.ContextLengthExceeded, error.Kind);
        Assert.Contains("about ", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Sent(marker));
    }

    [Fact]
    public async Task Models_without_a_recorded_window_pass_unchecked()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var client = Client("vllm", "meta-llama/Llama-3.1-8B-Instruct");

        var response = await client.GetResponseAsync("Hello " + marker, new ChatOptions { MaxOutputTokens = 10_000_000 });

        Assert.NotEmpty(response.Text);
        Assert.Equal(1, Sent(marker));
    }

    [Fact]
    public void The_built_in_profiles_record_windows_for_common_models()
    {
        Assert.Equal(128000, ProviderCatalog.Default.Get("openai").GetContextWindow("gpt-4o-mini"));
        Assert.Equal(128000, ProviderCatalog.Default.Get("deepseek").GetContextWindow("deepseek-chat"));
        Assert.Equal(131072, ProviderCatalog.Default.Get("groq").GetContextWindow("openai/gpt-oss-120b"));
        Assert.Null(ProviderCatalog.Default.Get("vllm").GetContextWindow("anything"));
    }
}
