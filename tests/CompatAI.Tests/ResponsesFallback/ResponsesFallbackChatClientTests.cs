using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.ResponsesFallback;

/// <summary>The Responses API fallback against the emulator's responses-only mode, over loopback, with the real SDK and MEAI.OpenAI.</summary>
public sealed class ResponsesFallbackChatClientTests : IAsyncLifetime
{
    private ProviderEmulator _responsesOnly = null!;

    public async Task InitializeAsync() => _responsesOnly = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { ResponsesOnly = true });

    public async Task DisposeAsync() => await _responsesOnly.DisposeAsync();

    [Fact]
    public async Task A_404_from_chat_completions_goes_to_responses_and_is_remembered()
    {
        using var client = Client("openai", "gpt-4o-mini");

        var first = await client.GetResponseAsync("hello");
        Assert.Equal("You said: hello", first.Text);
        Assert.Equal(["/openai/v1/chat/completions", "/openai/v1/responses"], Paths());
        Assert.True(first.Usage!.TotalTokenCount > 0);

        _responsesOnly.ClearRequests();
        var second = await client.GetResponseAsync("again");
        Assert.Equal("You said: again", second.Text);
        Assert.Equal(["/openai/v1/responses"], Paths());
    }

    [Fact]
    public async Task Streaming_and_tool_calls_are_mapped_back()
    {
        using var client = Client("openai", "gpt-4o-mini");
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Weather for a city.");

        var text = await client.GetStreamingResponseAsync("stream me").ToListAsync();
        Assert.Equal("You said: stream me", string.Concat(text.Select(u => u.Text)));
        Assert.Equal(["/openai/v1/chat/completions", "/openai/v1/responses"], Paths());

        var toolCall = await client.GetResponseAsync("Weather in Paris?", new ChatOptions { Tools = [tool] });
        var call = Assert.Single(toolCall.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.StartsWith("call_", call.CallId, StringComparison.Ordinal);

        var result = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "Weather in Paris?"), .. toolCall.Messages, new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "sunny")])],
            new ChatOptions { Tools = [tool] });
        Assert.Equal("Tool results: get_weather=sunny", result.Text);
    }

    [Fact]
    public async Task A_provider_whose_profile_rules_responses_out_gets_the_404()
    {
        using var client = Client("zhipu", "glm-4.6", _responsesOnly.GetEndpoint("openai"));

        var error = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hello"));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal(["/openai/v1/chat/completions"], Paths());
    }

    [Fact]
    public async Task When_responses_fails_too_the_original_404_is_thrown_and_nothing_is_remembered()
    {
        await using var plain = await ProviderEmulator.StartAsync();
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "openai",
            Endpoint = new Uri(plain.GetEndpoint("openai"), "nothing-here/"),
            ApiKey = "emulator-key",
            Model = "gpt-4o-mini",
            Retry = { MaxRetries = 0 },
        });

        var first = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hello"));
        var second = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hello"));

        Assert.Equal(404, first.StatusCode);
        Assert.Equal(404, second.StatusCode);
        Assert.Equal(4, plain.Requests.Count); // chat, responses, chat, responses: no decision was remembered
    }

    private IChatClient Client(string provider, string model, Uri? endpoint = null) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = provider,
        Endpoint = endpoint ?? _responsesOnly.GetEndpoint(provider),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    private List<string> Paths() => [.. _responsesOnly.Requests.Select(r => r.Path)];
}
