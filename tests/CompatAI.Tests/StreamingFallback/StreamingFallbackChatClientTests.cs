using System.Text.Json.Nodes;
using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.StreamingFallback;

/// <summary>The streaming to non-streaming fallback against the emulator's no-streaming mode, over loopback.</summary>
public sealed class StreamingFallbackChatClientTests : IAsyncLifetime
{
    private ProviderEmulator _noStreaming = null!;
    private ProviderEmulator _streaming = null!;

    public async Task InitializeAsync()
    {
        _noStreaming = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RejectStreaming = true });
        _streaming = await ProviderEmulator.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _noStreaming.DisposeAsync();
        await _streaming.DisposeAsync();
    }

    [Fact]
    public async Task A_rejected_stream_is_retried_once_without_streaming_and_the_decision_is_remembered_per_model()
    {
        using var client = Client(_noStreaming, "groq", "llama-3.3-70b-versatile");

        var first = await client.GetStreamingResponseAsync("hello").ToChatResponseAsync();
        Assert.Equal("You said: hello", first.Text);
        Assert.Equal([true, false], StreamFlags(_noStreaming));

        _noStreaming.ClearRequests();
        var second = await client.GetStreamingResponseAsync("again").ToChatResponseAsync();
        Assert.Equal("You said: again", second.Text);
        Assert.Equal([false], StreamFlags(_noStreaming));

        _noStreaming.ClearRequests();
        var otherModel = await client.GetStreamingResponseAsync("other", new ChatOptions { ModelId = "llama-3.1-8b-instant" }).ToChatResponseAsync();
        Assert.Equal("You said: other", otherModel.Text);
        Assert.Equal([true, false], StreamFlags(_noStreaming));
    }

    [Fact]
    public async Task Tool_calls_and_usage_arrive_through_the_fallback()
    {
        using var client = Client(_noStreaming, "deepseek", "deepseek-chat");
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Weather for a city.");

        var updates = await client.GetStreamingResponseAsync("Weather in Paris?", new ChatOptions { Tools = [tool] }).ToListAsync();

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.NotNull(updates.SelectMany(u => u.Contents).OfType<UsageContent>().SingleOrDefault());
    }

    [Fact]
    public async Task A_profile_without_streaming_never_sends_stream_true()
    {
        var profile = new ProviderProfile
        {
            Name = "nostream",
            BaseUrl = _streaming.GetEndpoint("openai"),
            RequiresApiKey = false,
            Quirks = new ProviderQuirks { SupportsStreaming = false },
        };
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Catalog = ProviderCatalog.Default.With(profile),
            Provider = "nostream",
            Model = "gpt-4o-mini",
            Retry = { MaxRetries = 0 },
        });

        var response = await client.GetStreamingResponseAsync("hi").ToChatResponseAsync();

        Assert.Equal("You said: hi", response.Text);
        Assert.Equal([false], StreamFlags(_streaming));
    }

    [Fact]
    public async Task Errors_that_do_not_name_stream_are_not_retried()
    {
        using var client = Client(_streaming, "groq", "llama-3.3-70b-versatile");
        _streaming.EnqueueFault("groq", EmulatorFault.WithStatus(400));

        var error = await Assert.ThrowsAsync<ProviderException>(async () => await client.GetStreamingResponseAsync("hi").ToListAsync());

        Assert.Equal(400, error.StatusCode);
        Assert.Equal([true], StreamFlags(_streaming));
    }

    private static IChatClient Client(ProviderEmulator emulator, string personality, string model) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    private static List<bool> StreamFlags(ProviderEmulator emulator) =>
        [.. emulator.Requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal))
            .Select(r => JsonNode.Parse(r.Body)?["stream"] is JsonValue v && v.GetValue<bool>())];
}
