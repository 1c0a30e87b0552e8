using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using OpenAI;

namespace CompatAI.Tests.Chat;

/// <summary>
/// What Microsoft.Extensions.AI.OpenAI's <c>AsIChatClient()</c> (10.11.0) does differently from what OpenAI-compatible
/// providers need, each shown on the same bytes twice: through the bare <c>AsIChatClient()</c> (already with the wire
/// repairs, so only the mapping differs) and through <see cref="OpenAICompatibleChatClient"/>, which covers it.
/// </summary>
public sealed class AsIChatClientDifferenceTests
{
    private static readonly JsonElement s_schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string","minLength":2},"when":{"type":"string","format":"date"}},"required":["city"]}""").RootElement;

    private static IChatClient Bare(LoopbackServer server, string provider = "openai") =>
        new OpenAIClient(new ApiKeyCredential(ClientFactory.TestKey), new OpenAIClientOptions { Endpoint = server.V1, RetryPolicy = new ClientRetryPolicy(0) }.UseCompatWireRepairs(provider))
            .GetChatClient("test-model")
            .AsIChatClient();

    /// <summary>Sends the same request through both clients and returns the two wire bodies (bare first).</summary>
    private static async Task<(JsonNode Bare, JsonNode Compat)> BothRequestsAsync(IList<ChatMessage> messages, ChatOptions options)
    {
        var body = Fixtures.Text("groq-tool-call-nonstream.json");
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body)).Enqueue(ScriptedResponse.Json(body));
        await Bare(server).GetResponseAsync(messages, options);
        using var compat = ClientFactory.For(server);
        await compat.GetResponseAsync(messages, options);
        return (JsonNode.Parse(server.Requests[0].Body)!, JsonNode.Parse(server.Requests[1].Body)!);
    }

    [Fact]
    public async Task Additional_properties_are_extra_body_fields()
    {
        var options = new ChatOptions { AdditionalProperties = new() { ["thinking"] = new Dictionary<string, object?> { ["type"] = "enabled" }, ["random_seed"] = 7 } };
        var (bare, compat) = await BothRequestsAsync([new(ChatRole.User, "hi")], options);

        Assert.Null(bare["thinking"]);
        Assert.Null(bare["random_seed"]);
        Assert.Equal("enabled", (string?)compat["thinking"]?["type"]);
        Assert.Equal(7, (int?)compat["random_seed"]);
    }

    [Fact]
    public async Task TopK_is_sent_as_top_k()
    {
        var (bare, compat) = await BothRequestsAsync([new(ChatRole.User, "hi")], new ChatOptions { TopK = 5 });
        Assert.Null(bare["top_k"]);
        Assert.Equal(5, (int?)compat["top_k"]);
    }

    [Fact]
    public async Task Tools_without_a_tool_mode_send_no_tool_choice_and_their_schema_as_given()
    {
        var tool = AIFunctionFactory.CreateDeclaration("weather", "Weather for a city", s_schema);
        var (bare, compat) = await BothRequestsAsync([new(ChatRole.User, "hi")], new ChatOptions { Tools = [tool] });

        Assert.Equal("auto", (string?)bare["tool_choice"]);
        Assert.Null(compat["tool_choice"]);
        Assert.NotEqual(s_schema.GetRawText(), bare["tools"]![0]!["function"]!["parameters"]!.ToJsonString());
        Assert.Equal(s_schema.GetRawText(), compat["tools"]![0]!["function"]!["parameters"]!.ToJsonString());
    }

    [Fact]
    public async Task A_json_schema_response_format_is_sent_as_given()
    {
        var format = ChatResponseFormat.ForJsonSchema(s_schema, "trip");
        var (bare, compat) = await BothRequestsAsync([new(ChatRole.User, "hi")], new ChatOptions { ResponseFormat = format });

        Assert.NotEqual(s_schema.GetRawText(), bare["response_format"]!["json_schema"]!["schema"]!.ToJsonString());
        Assert.Equal(s_schema.GetRawText(), compat["response_format"]!["json_schema"]!["schema"]!.ToJsonString());
    }

    [Fact]
    public async Task A_tool_result_holding_an_exception_and_a_call_with_null_arguments_keep_their_meaning()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "weather", arguments: null)]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", result: null) { Exception = new InvalidOperationException("station offline") }]),
        ];
        var (bare, compat) = await BothRequestsAsync(messages, new ChatOptions());

        Assert.Equal("null", (string?)bare["messages"]![1]!["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal(string.Empty, (string?)bare["messages"]![2]!["content"]);
        Assert.Equal("{}", (string?)compat["messages"]![1]!["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal("Error: station offline", (string?)compat["messages"]![2]!["content"]);
    }

    [Fact]
    public async Task Author_names_keep_their_length_with_invalid_characters_replaced()
    {
        var (bare, compat) = await BothRequestsAsync([new(ChatRole.User, "hi") { AuthorName = "Ann Lee!" }], new ChatOptions());
        Assert.Equal("AnnLee", (string?)bare["messages"]![0]!["name"]);
        Assert.Equal("Ann_Lee_", (string?)compat["messages"]![0]!["name"]);
    }

    [Fact]
    public async Task An_unknown_role_is_an_error_naming_it_instead_of_a_dropped_message()
    {
        var body = Fixtures.Text("groq-tool-call-nonstream.json");
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body));
        List<ChatMessage> messages = [new(ChatRole.User, "hi"), new(new ChatRole("critic"), "too long")];

        await Bare(server).GetResponseAsync(messages);
        Assert.Single(JsonNode.Parse(server.LastRequest.Body)!["messages"]!.AsArray());

        using var compat = ClientFactory.For(server);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => compat.GetResponseAsync(messages));
        Assert.Contains("'critic'", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Metadata_names_the_real_provider()
    {
        await using var server = await LoopbackServer.StartAsync();
        Assert.Equal("openai", Bare(server, "mistral").GetService<ChatClientMetadata>()!.ProviderName);
        using var compat = ClientFactory.For(server, provider: "mistral");
        Assert.Equal("mistral", compat.GetService<ChatClientMetadata>()!.ProviderName);
        Assert.Equal("test-model", compat.GetService<ChatClientMetadata>()!.DefaultModelId);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_provider_exception()
    {
        // Clean-looking to the transport's fast scan (balanced, no escapes), but not JSON: the SDK's parser finds it.
        const string body = """{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1 "completion_tokens":1}}""";
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body)).Enqueue(ScriptedResponse.Json(body));

        var bareError = await Record.ExceptionAsync(() => Bare(server).GetResponseAsync("hi"));
        using var compat = ClientFactory.For(server);
        var compatError = await Assert.ThrowsAsync<ProviderException>(() => compat.GetResponseAsync("hi"));

        Assert.NotNull(bareError);
        Assert.IsNotType<ProviderException>(bareError);
        Assert.Equal(ProviderErrorKind.ServerError, compatError.Kind);
    }

    private static string Chunk(string delta, string? finish = null) =>
        $$"""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{(finish is null ? "null" : $"\"{finish}\"")}}}]}""" + "\n\n";

    private static async Task<(List<ChatResponseUpdate> Bare, List<ChatResponseUpdate> Compat)> BothStreamsAsync(string sse)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse)).Enqueue(ScriptedResponse.Sse(sse));
        var bare = await Bare(server).GetStreamingResponseAsync("hi").ToListAsync();
        using var compat = ClientFactory.For(server);
        return (bare, await compat.GetStreamingResponseAsync("hi").ToListAsync());
    }

    [Fact]
    public async Task Streamed_tool_calls_come_with_ids_names_arguments_and_a_finish_reason()
    {
        // Three calls: Gemini's empty id with empty arguments, a blank name, and a normal call; the stream ends with
        // [DONE] but without a finish reason on any chunk.
        var sse = Chunk("""{"role":"assistant","tool_calls":[{"index":0,"id":"","type":"function","function":{"name":"now","arguments":""}}]}""")
            + Chunk("""{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":" ","arguments":"{}"}}]}""")
            + Chunk("""{"tool_calls":[{"index":2,"id":"call_c","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]}""")
            + Chunk("{}", "stop")
            + "data: [DONE]\n\n";
        var (bareUpdates, compatUpdates) = await BothStreamsAsync(sse.Replace(",\"finish_reason\":\"stop\"", ",\"finish_reason\":null", StringComparison.Ordinal));

        var bare = bareUpdates.ToChatResponse();
        var bareCalls = bare.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, bareCalls.Count);
        Assert.Equal(string.Empty, bareCalls[0].CallId);
        Assert.NotNull(bareCalls[0].Exception);

        var compat = compatUpdates.ToChatResponse();
        var calls = compat.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["now", " ", "weather"], calls.Select(c => c.Name));
        Assert.StartsWith("call_", calls[0].CallId, StringComparison.Ordinal);
        Assert.Null(calls[0].Exception);
        Assert.Empty(calls[0].Arguments!);
        Assert.Equal("call_b", calls[1].CallId);
        Assert.Equal("Oslo", calls[2].Arguments!["city"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, compat.FinishReason);
    }

    [Fact]
    public async Task Empty_tool_call_arguments_mean_no_arguments_in_a_response()
    {
        var body = Fixtures.Text("groq-tool-call-nonstream.json");
        var node = JsonNode.Parse(body)!;
        var call = node["choices"]![0]!["message"]!["tool_calls"]![0]!;
        call["function"]!["arguments"] = string.Empty;
        call["id"] = string.Empty;
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(node.ToJsonString())).Enqueue(ScriptedResponse.Json(node.ToJsonString()));

        var bareCall = (await Bare(server).GetResponseAsync("hi")).Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().First();
        using var compat = ClientFactory.For(server);
        var compatCall = (await compat.GetResponseAsync("hi")).Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().First();

        Assert.NotNull(bareCall.Exception);
        Assert.Equal(string.Empty, bareCall.CallId);
        Assert.Null(compatCall.Exception);
        Assert.Empty(compatCall.Arguments!);
        Assert.StartsWith("call_", compatCall.CallId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streamed_refusal_is_kept()
    {
        var sse = Chunk("""{"role":"assistant","refusal":"I can't help "}""") + Chunk("""{"refusal":"with that."}""") + Chunk("{}", "stop") + "data: [DONE]\n\n";
        var (bare, compat) = await BothStreamsAsync(sse);

        Assert.DoesNotContain(bare.SelectMany(u => u.Contents), c => c is ErrorContent);
        var refusal = string.Concat(compat.SelectMany(u => u.Contents).OfType<ErrorContent>().Where(e => e.ErrorCode == "Refusal").Select(e => e.Message));
        Assert.Equal("I can't help with that.", refusal);
    }
}
