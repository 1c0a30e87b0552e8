using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace CompatAI.Tests.Chat;

/// <summary>
/// Each known defect of the OpenAI SDK on real provider traffic, shown twice on the same recorded fixture: the bare SDK
/// fails (or loses data), and the adapter does not.
/// </summary>
public sealed class SdkDefectTests
{
    private static ChatClient RawSdk(LoopbackServer server) => new(
        "test-model",
        new ApiKeyCredential(ClientFactory.TestKey),
        new OpenAIClientOptions { Endpoint = server.V1, RetryPolicy = new ClientRetryPolicy(0) });

    [Theory]
    [InlineData("eos", "stop", true)]
    [InlineData("", "stop", true)]
    [InlineData("model_length", "length", true)]
    [InlineData("end_turn", "stop", true)]
    [InlineData("STOP", "stop", false)] // the SDK happens to accept upper case; the adapter must too
    public async Task Unknown_finish_reason_in_a_response_is_normalized_instead_of_throwing(string raw, string expected, bool sdkThrows)
    {
        var body = WithFinishReason(Fixtures.Text("deepseek-reasoner-nonstream.json"), raw);
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body)).Enqueue(ScriptedResponse.Json(body));

        var sdkCall = RawSdk(server).CompleteChatAsync([new UserChatMessage("hi")]);
        if (sdkThrows)
        {
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => sdkCall);
        }
        else
        {
            await sdkCall;
        }

        using var client = ClientFactory.For(server);
        var response = await client.GetResponseAsync("hi");
        Assert.Equal(expected, response.FinishReason?.Value);
        Assert.StartsWith("The word \"strawberry\"", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_finish_reason_in_a_stream_is_normalized_instead_of_throwing()
    {
        var sse = Fixtures.Text("groq-text-x_groq-stream.sse").Replace("\"finish_reason\":\"stop\"", "\"finish_reason\":\"eos\"", StringComparison.Ordinal);
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse)).Enqueue(ScriptedResponse.Sse(sse));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var _ in RawSdk(server).CompleteChatStreamingAsync([new UserChatMessage("hi")]))
            {
            }
        });

        using var client = ClientFactory.For(server);
        var updates = await client.GetStreamingResponseAsync("hi").ToListAsync();
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Stop, updates.Last().FinishReason);
        Assert.NotEmpty(string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public async Task Error_inside_a_200_stream_throws_after_the_output_before_it()
    {
        // A vLLM stream: a role chunk, then an error object, then [DONE]. The bare SDK hands back an empty update and ends "successfully".
        var sse = Fixtures.Text("vllm-stream-error-legacy-object-error.sse");
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse)).Enqueue(ScriptedResponse.Sse(sse));

        var rawUpdates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in RawSdk(server).CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            rawUpdates.Add(update);
        }

        Assert.Contains(rawUpdates, u => u.CompletionId is null); // the error became a silent, empty update

        using var client = ClientFactory.For(server);
        var seen = new List<ChatResponseUpdate>();
        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                seen.Add(update);
            }
        });
        Assert.Single(seen); // the role chunk that came before the error
        // Classified like the same error over HTTP: an invalid request with the body's status and type, not a cut stream.
        Assert.Equal(ProviderErrorKind.InvalidRequest, ex.Kind);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal("BadRequestError", ex.ErrorCode);
        Assert.True(ex.OutputStarted);
        Assert.Contains("max_tokens must be at least 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_object_in_a_200_json_body_throws_a_classified_exception()
    {
        await using var server = await LoopbackServer.StartAsync();
        const string body = """{"error":{"message":"Rate limit exceeded: free-models-per-day","code":429}}""";
        server.Enqueue(ScriptedResponse.Json(body)).Enqueue(ScriptedResponse.Json(body));

        // The bare SDK takes the 200 at its word: a "successful" completion with no id and no model, whose Content
        // throws an untyped index error (there are no choices) instead of telling the caller about the provider's error.
        ChatCompletion raw = await RawSdk(server).CompleteChatAsync([new UserChatMessage("hi")]);
        Assert.Null(raw.Id);
        Assert.Null(raw.Model);
        Assert.Throws<ArgumentOutOfRangeException>(() => raw.Content);

        using var client = ClientFactory.For(server);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.QuotaExceeded, ex.Kind);
        Assert.Equal(429, ex.StatusCode);
        Assert.Contains("free-models-per-day", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count); // the same bytes reached both clients
    }

    [Fact]
    public async Task Tool_call_deltas_without_index_stay_separate_calls()
    {
        // The recorded parallel-call stream, with every "index" removed, as some servers send it.
        var chunks = Fixtures.StreamChunks(Fixtures.Text("openai-gateway-parallel-tool-calls-stream.sse"));
        foreach (var call in chunks.SelectMany(c => c["choices"]!.AsArray()).SelectMany(ch => ch!["delta"]?["tool_calls"]?.AsArray() ?? []))
        {
            call!.AsObject().Remove("index");
        }

        var sse = string.Concat(chunks.Select(c => $"data: {c.ToJsonString()}\n\n")) + "data: [DONE]\n\n";
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse)).Enqueue(ScriptedResponse.Sse(sse));

        var rawIndexes = new HashSet<int>();
        await foreach (var update in RawSdk(server).CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                rawIndexes.Add(call.Index);
            }
        }

        Assert.Equal([0], rawIndexes); // the SDK puts both calls at index 0, which merges them

        using var client = ClientFactory.For(server);
        var calls = (await client.GetStreamingResponseAsync("hi").ToListAsync()).SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        var original = Fixtures.StreamChunks(Fixtures.Text("openai-gateway-parallel-tool-calls-stream.sse"))
            .SelectMany(c => c["choices"]!.AsArray()).SelectMany(ch => ch!["delta"]?["tool_calls"]?.AsArray() ?? [])
            .Where(c => c!["id"] is not null).Select(c => (Id: c!["id"]!.ToString(), Name: c["function"]!["name"]!.ToString())).ToList();
        Assert.Equal(original.Count, calls.Count);
        Assert.Equal(original.Select(o => o.Id), calls.Select(c => c.CallId));
        Assert.Equal(original.Select(o => o.Name), calls.Select(c => c.Name));
        Assert.All(calls, c => Assert.Null(c.Exception));
    }

    [Fact]
    public async Task Blank_tool_call_type_does_not_crash()
    {
        var body = JsonNode.Parse(Fixtures.Text("openai-parallel-tool-calls-nonstream.json"))!;
        foreach (var call in body["choices"]![0]!["message"]!["tool_calls"]!.AsArray())
        {
            call!["type"] = string.Empty;
        }

        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body.ToJsonString())).Enqueue(ScriptedResponse.Json(body.ToJsonString()));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => RawSdk(server).CompleteChatAsync([new UserChatMessage("hi")]));

        using var client = ClientFactory.For(server);
        var response = await client.GetResponseAsync("hi");
        Assert.Equal(2, response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Count());
    }

    [Fact]
    public async Task Bare_json_line_without_data_prefix_is_not_lost()
    {
        var sse = Fixtures.Text("gpustack-gateway-bare-json-line-stream.sse");
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse)).Enqueue(ScriptedResponse.Sse(sse));

        OpenAI.Chat.ChatFinishReason? rawFinish = null;
        await foreach (var update in RawSdk(server).CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            rawFinish ??= update.FinishReason;
        }

        Assert.Null(rawFinish); // the SDK's parser drops the finish chunk

        using var client = ClientFactory.For(server);
        var updates = await client.GetStreamingResponseAsync("hi").ToListAsync();
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Stop, updates.Last().FinishReason);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_delay_the_provider_asked_for()
    {
        await using var server = await LoopbackServer.StartAsync();
        var tooMany = new ScriptedResponse { Status = 429, Headers = { ["retry-after-ms"] = "400" }, Body = """{"error":{"message":"slow down","type":"rate_limit_error","code":"rate_limit_exceeded"}}""" };
        var ok = ScriptedResponse.Json(Fixtures.Text("deepseek-reasoner-nonstream.json"));

        // The delay is the policy's own computation on the provider's 429 (no wall clock): what the header asked for.
        server.Enqueue(tooMany);
        using var once = ClientFactory.For(server, retries: 0);
        var ex = await Assert.ThrowsAsync<ProviderException>(() => once.GetResponseAsync("hi"));
        var retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(5) };
        Assert.Equal(TimeSpan.FromMilliseconds(400), ex.RetryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(400), new ProviderRetryPolicy(retry, TimeProvider.System).GetDelay(ex, attempt: 0));

        // And the request is retried and served.
        server.Enqueue(tooMany).Enqueue(ok);
        using var client = ClientFactory.For(server, retries: 2);
        var response = await client.GetResponseAsync("hi");
        Assert.NotEmpty(response.Text);
        Assert.Equal(3, server.Requests.Count);
    }

    private static string WithFinishReason(string json, string finishReason)
    {
        var node = JsonNode.Parse(json)!;
        node["choices"]![0]!["finish_reason"] = finishReason;
        return node.ToJsonString();
    }
}
