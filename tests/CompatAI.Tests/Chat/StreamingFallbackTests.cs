using System.Text.Json.Nodes;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Chat;

/// <summary>
/// Servers that do not stream: one rejects <c>stream: true</c> with a 400 naming <c>stream</c> (the request is sent
/// again without streaming, once, and the model is remembered), one ignores it and answers with a whole completion
/// (delivered as the event stream that was asked for). Both on the emulator over loopback, through the full pipeline.
/// </summary>
public sealed class StreamingFallbackTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        var options = new ProviderEmulatorOptions();
        options.StreamingRejectedBy.Add("vllm");
        options.StreamingIgnoredBy.Add("groq");
        _emulator = await ProviderEmulator.StartAsync(options);
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private IChatClient Client(string personality, string model) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = _emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    private static bool Streamed(CompatAI.Emulator.RecordedRequest request) => (bool?)JsonNode.Parse(request.Body)?["stream"] == true;

    [Fact]
    public async Task A_server_that_rejects_streaming_is_asked_again_without_it_and_the_model_is_remembered()
    {
        using var client = Client("vllm", "Qwen/Qwen3-8B");

        var expected = (await client.GetResponseAsync("Say hello.")).Text;
        var first = await client.GetStreamingResponseAsync("Say hello.").ToChatResponseAsync();
        var second = await client.GetStreamingResponseAsync("Say hello.").ToChatResponseAsync();

        Assert.False(string.IsNullOrWhiteSpace(expected));
        Assert.Equal(expected, first.Text);
        Assert.Equal(expected, second.Text);
        Assert.Equal(ChatFinishReason.Stop, first.FinishReason);
        // Non-streamed, streamed (rejected), non-streamed again; then straight to non-streaming.
        Assert.Equal([false, true, false, false], _emulator.Requests.Select(Streamed));
    }

    [Fact]
    public async Task A_server_that_answers_a_stream_request_with_a_whole_completion_is_read_as_a_stream()
    {
        using var client = Client("groq", "llama-3.3-70b-versatile");

        var expected = await client.GetResponseAsync("Say hello.");
        var updates = await client.GetStreamingResponseAsync("Say hello.").ToListAsync();
        var streamed = updates.ToChatResponse();

        Assert.False(string.IsNullOrWhiteSpace(expected.Text));
        Assert.Equal(expected.Text, streamed.Text);
        Assert.Equal(ChatFinishReason.Stop, streamed.FinishReason);
        Assert.Equal(expected.Usage?.TotalTokenCount, streamed.Usage?.TotalTokenCount);
        Assert.Equal([false, true], _emulator.Requests.Select(Streamed));
    }

    [Fact]
    public async Task Tool_calls_in_a_whole_completion_answered_to_a_stream_request_arrive_as_calls()
    {
        using var client = Client("groq", "llama-3.3-70b-versatile");
        var weather = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Gets the weather of a city.");

        var options = new ChatOptions { Tools = [weather] };

        var expected = Assert.Single((await client.GetResponseAsync("Use get_weather for Paris.", options)).Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        var response = await client.GetStreamingResponseAsync("Use get_weather for Paris.", options).ToChatResponseAsync();

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.Equal(expected.Arguments?["city"]?.ToString(), call.Arguments?["city"]?.ToString());
        Assert.False(string.IsNullOrEmpty(call.Arguments?["city"]?.ToString()));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }
}
