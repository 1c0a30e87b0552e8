using System.Net;

namespace CompatAI.Emulator.Tests;

/// <summary>The responses-only mode: /chat/completions is a 404 and /responses answers, as JSON and as events.</summary>
public sealed class ResponsesOnlyModeTests
{
    [Fact]
    public async Task Chat_completions_is_404_and_responses_answers_json_and_events()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { ResponsesOnly = true });
        var endpoint = emulator.GetEndpoint("openai");

        var chat = await Wire.SendAsync(HttpMethod.Post, new Uri(endpoint, "chat/completions"), """{"model":"m","messages":[{"role":"user","content":"hi"}]}""");
        var json = await Wire.SendAsync(HttpMethod.Post, new Uri(endpoint, "responses"), """{"model":"m","input":"hi"}""");
        var stream = await Wire.SendAsync(HttpMethod.Post, new Uri(endpoint, "responses"), """{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}],"stream":true}""");

        Assert.Equal(HttpStatusCode.NotFound, chat.Status);
        Assert.Equal("You said: hi", (string)json.Json["output"]![0]!["content"]![0]!["text"]!);
        Assert.Equal("completed", (string)json.Json["status"]!);
        var types = stream.Chunks.Select(c => (string)c["type"]!).ToList();
        Assert.Equal("response.created", types[0]);
        Assert.Equal("response.output_item.added", types[1]);
        Assert.Equal(["response.output_item.done", "response.completed"], types[^2..]);
        Assert.Equal("You said: hi", string.Concat(stream.Chunks.Where(c => (string)c["type"]! == "response.output_text.delta").Select(c => (string)c["delta"]!)));
        Assert.Equal(Enumerable.Range(0, types.Count), stream.Chunks.Select(c => (int)c["sequence_number"]!));
    }
}
