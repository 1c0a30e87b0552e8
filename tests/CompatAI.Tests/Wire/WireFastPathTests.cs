using System.Text;
using CompatAI.Tests.Infrastructure;
using CompatAI;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Wire;

/// <summary>
/// The transport's fast path (a vectorized byte search instead of tokenizing every body and chunk): what it clears must
/// need no repair, what merely looks suspicious must pass through unchanged, and malformed JSON it does not tokenize
/// must still become a <see cref="ProviderException"/>, over real loopback HTTP and the real OpenAI SDK.
/// </summary>
public sealed class WireFastPathTests
{
    private const string Head = """{"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":""";

    private static string Chunk(string deltaJson, string finish = "null") => $"data: {Head}{deltaJson},\"finish_reason\":{finish}}}]}}\n\n";

    private static string Body(string content) =>
        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
        + content + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

    [Fact]
    public async Task Malformed_chunk_after_output_is_stream_interrupted_and_the_text_before_it_is_delivered()
    {
        // Object-shaped, so the byte search clears it; the SDK's parser then rejects it.
        var sse = Chunk("""{"role":"assistant","content":"Hello"}""") + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\" \"y\"}}]}\n\n" + Chunk("""{"content":"never"}""", "\"stop\"") + "data: [DONE]\n\n";
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse));
        using var client = ClientFactory.For(server, provider: "groq");

        var updates = new List<ChatResponseUpdate>();
        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                updates.Add(update);
            }
        });

        Assert.Equal(ProviderErrorKind.StreamInterrupted, ex.Kind);
        Assert.Equal("groq", ex.ProviderName);
        Assert.Contains("groq", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
        Assert.Equal("Hello", string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public async Task Malformed_first_chunk_is_a_server_error()
    {
        var sse = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\",}}]}\n\n" + "data: [DONE]\n\n";
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse));
        using var client = ClientFactory.For(server, provider: "groq");

        var ex = await Assert.ThrowsAsync<ProviderException>(async () => await client.GetStreamingResponseAsync("hi").ToListAsync());

        Assert.Equal(ProviderErrorKind.ServerError, ex.Kind);
        Assert.Contains("groq", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunk_that_is_not_a_json_object_mid_stream_is_stream_interrupted_naming_the_data()
    {
        var sse = Chunk("""{"role":"assistant","content":"Hello"}""") + "data: upstream went away\n\n" + "data: [DONE]\n\n";
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse));
        using var client = ClientFactory.For(server, provider: "groq");

        var updates = new List<ChatResponseUpdate>();
        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                updates.Add(update);
            }
        });

        Assert.Equal(ProviderErrorKind.StreamInterrupted, ex.Kind);
        Assert.Contains("upstream went away", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Hello", string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public async Task Malformed_non_streaming_body_with_a_finish_reason_is_a_server_error_naming_the_provider()
    {
        var body = Body("\"Hi\"").Replace("\"usage\":{", "\"usage\":{,", StringComparison.Ordinal);
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body));
        using var client = ClientFactory.For(server, provider: "groq");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.ServerError, ex.Kind);
        Assert.Contains("groq", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
    }

    [Fact]
    public async Task Truncated_non_streaming_body_is_a_server_error_with_the_body()
    {
        var body = Body("\"Hi\"");
        body = body[..(body.Length - 20)];
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body));
        using var client = ClientFactory.For(server, provider: "groq");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.ServerError, ex.Kind);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
        Assert.Equal(body, ex.ResponseBody);
    }

    [Theory]
    [InlineData("error")]
    [InlineData("tool_calls")]
    [InlineData("finish_reason")]
    [InlineData("content")]
    public async Task Text_made_of_marker_words_streams_through_unchanged(string word)
    {
        var sse = Chunk("""{"role":"assistant","content":""}""") + Chunk($$"""{"content":"{{word}}"}""") + Chunk("""{"content":" \"error\": [tool_calls] \"content\": [1]"}""") + Chunk("{}", "\"stop\"") + "data: [DONE]\n\n";
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse));
        using var client = ClientFactory.For(server);

        var updates = await client.GetStreamingResponseAsync("hi").ToListAsync();

        Assert.Equal(word + " \"error\": [tool_calls] \"content\": [1]", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates.Last(u => u.FinishReason is not null).FinishReason);
        Assert.Empty(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
    }

    [Theory]
    [InlineData("\"error\"")]
    [InlineData("\"tool_calls\"")]
    [InlineData("\"the \\\"error\\\" and tool_calls: [] are just words\"")]
    public async Task Non_streaming_text_that_looks_like_a_marker_comes_back_unchanged(string contentJson)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Body(contentJson)));
        using var client = ClientFactory.For(server);

        var response = await client.GetResponseAsync("hi");

        Assert.Equal(System.Text.Json.JsonSerializer.Deserialize<string>(contentJson), response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public void Plain_text_chunks_and_bodies_are_cleared_without_tokenizing()
    {
        var chunk = Encoding.UTF8.GetBytes($"{Head}{{\"content\":\"Hello there\"}},\"finish_reason\":null}}]}}");
        var last = Encoding.UTF8.GetBytes($"{Head}{{}},\"finish_reason\":\"stop\"}}]}}");

        Assert.True(WireJsonNormalizer.TryScanFast(chunk, out var findings));
        Assert.Equal(WireJsonNormalizer.Findings.None, findings);
        Assert.True(WireJsonNormalizer.TryScanFast(last, out findings));
        Assert.Equal(WireJsonNormalizer.Findings.Finished, findings);
        Assert.True(WireJsonNormalizer.TryScanFast(Encoding.UTF8.GetBytes(Body("\"Hi\"")), out findings));
        Assert.Equal(WireJsonNormalizer.Findings.Finished, findings);
    }

    [Theory]
    [InlineData("""{"choices":[{"delta":{"content" :  [{"type":"text","text":"a"}]}}]}""")]
    [InlineData("""{"choices":[{"finish_reason" : "end_turn"}]}""")]
    [InlineData("""{"choices":[{"finish_reason":"st\u006fp"}]}""")]
    [InlineData("""{"choices":[{"finish_reason":7}]}""")]
    [InlineData("""{"choices":[],"err\u006fr":{"message":"x"}}""")]
    [InlineData("""{"error":{"message":"x"}}""")]
    [InlineData("""{"object":"error","message":"x"}""")]
    [InlineData("""{"choices":[{"delta":{"tool_calls":[{"id":"a","type":"","function":{"name":"f","arguments":""}}]}}]}""")]
    [InlineData("""{"choices":[{"delta":{"content":"cut""")]
    [InlineData("""not json at all""")]
    public void Anything_that_may_need_repair_or_signal_an_error_goes_to_the_precise_scan(string json) =>
        Assert.False(WireJsonNormalizer.TryScanFast(Encoding.UTF8.GetBytes(json), out _));

    /// <summary>
    /// Over every recorded chunk and body: whenever the byte search clears one, the precise scan must agree that it needs
    /// no repair, carries no error and is well formed, and must agree on whether it finished.
    /// </summary>
    [Fact]
    public void The_fast_path_never_clears_a_recorded_chunk_the_precise_scan_would_repair()
    {
        var repairOrError = WireJsonNormalizer.Findings.Error | WireJsonNormalizer.Findings.BadFinishReason | WireJsonNormalizer.Findings.ToolCalls
            | WireJsonNormalizer.Findings.ContentParts | WireJsonNormalizer.Findings.Malformed;
        int cleared = 0, sentOn = 0;
        foreach (var payload in Fixtures.All.SelectMany(Payloads))
        {
            var precise = WireJsonNormalizer.ScanPrecisely(payload);
            if (WireJsonNormalizer.TryScanFast(payload, out var fast))
            {
                cleared++;
                Assert.True((precise & repairOrError) == 0, Encoding.UTF8.GetString(payload));
                Assert.Equal(precise & WireJsonNormalizer.Findings.Finished, fast & WireJsonNormalizer.Findings.Finished);
                Assert.True((precise & WireJsonNormalizer.Findings.Reasoning) == 0 || (fast & WireJsonNormalizer.Findings.Reasoning) != 0, Encoding.UTF8.GetString(payload));
            }
            else
            {
                sentOn++;
            }
        }

        Assert.True(cleared > 100, $"only {cleared} payloads were cleared");
        Assert.True(sentOn > 10, $"only {sentOn} payloads went to the precise scan");
    }

    private static IEnumerable<byte[]> Payloads(string fixture)
    {
        var text = Fixtures.Text(fixture);
        if (!Fixtures.IsStream(fixture))
        {
            return [Encoding.UTF8.GetBytes(text)];
        }

        return text.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Select(l => l.StartsWith("data:", StringComparison.Ordinal) ? l[5..].TrimStart(' ') : l.StartsWith('{') ? l : null)
            .Where(l => l is not null && l != "[DONE]")
            .Select(l => Encoding.UTF8.GetBytes(l!));
    }
}
