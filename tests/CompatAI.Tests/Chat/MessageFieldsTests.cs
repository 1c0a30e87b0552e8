using System.Text.Json;
using System.Text.Json.Nodes;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Chat;

/// <summary>
/// A message's own extra fields (<see cref="ChatMessage.AdditionalProperties"/> entries the profile lists in
/// <see cref="ProviderProfile.MessageFields"/>) reach the wire on that message; other entries stay local. And Moonshot's
/// partial mode, the same prefix completion under another field name. Real SDK, real HTTP on loopback.
/// </summary>
public sealed class MessageFieldsTests : IAsyncLifetime
{
    private const string Completion = """{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";

    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IChatClient Client(string provider, ProviderCatalog? catalog = null) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = provider,
        Catalog = catalog,
        Endpoint = _server.V1,
        ApiKey = "test-key",
        Model = "m",
        Retry = { MaxRetries = 0 },
    });

    private JsonArray SentMessages() => JsonNode.Parse(_server.LastRequest.Body)!["messages"]!.AsArray();

    [Fact]
    public async Task OpenRouter_sends_reasoning_details_on_the_assistant_message_and_keeps_other_properties_local()
    {
        _server.Enqueue(ScriptedResponse.Json(Completion));
        var details = JsonDocument.Parse("""[{"type":"reasoning.encrypted","data":"c2lnbmVk"}]""").RootElement;
        var call = new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" });
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "Weather in Paris?") { AdditionalProperties = new() { ["app.trace"] = "local-only" } },
            new(ChatRole.Assistant, [call]) { AdditionalProperties = new() { ["reasoning_details"] = details, ["app.trace"] = "local-only" } },
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
        ];

        await Client("openrouter").GetResponseAsync(messages);

        var sent = SentMessages();
        Assert.Equal(3, sent.Count);
        var assistant = sent[1]!.AsObject();
        Assert.Equal("""[{"type":"reasoning.encrypted","data":"c2lnbmVk"}]""", assistant["reasoning_details"]!.ToJsonString());
        Assert.Equal("get_weather", assistant["tool_calls"]![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("""{"city":"Paris"}""", assistant["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>());
        Assert.All(sent, m => Assert.False(m!.AsObject().ContainsKey("app.trace")));
        Assert.Null(messages[1].RawRepresentation);
    }

    [Fact]
    public async Task A_provider_whose_profile_does_not_list_the_field_does_not_get_it()
    {
        _server.Enqueue(ScriptedResponse.Json(Completion));
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "Hi"),
            new(ChatRole.Assistant, "Hello") { AdditionalProperties = new() { ["reasoning_details"] = "[]" } },
            new(ChatRole.User, "Again"),
        ];

        await Client("openai").GetResponseAsync(messages);

        Assert.All(SentMessages(), m => Assert.False(m!.AsObject().ContainsKey("reasoning_details")));
    }

    [Fact]
    public async Task Fields_on_user_and_tool_messages_reach_the_wire_and_several_tool_results_keep_their_own_ids()
    {
        _server.Enqueue(ScriptedResponse.Sse("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
        var profile = new ProviderProfile { Name = "selfhosted", DefaultModel = "m", MessageFields = ["cache_hint"], Sources = ["test"] };
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "Weather?") { AdditionalProperties = new() { ["cache_hint"] = new Dictionary<string, object?> { ["ttl"] = 300 } } },
            new(ChatRole.Assistant, [new FunctionCallContent("a", "f", new Dictionary<string, object?>()), new FunctionCallContent("b", "g", new Dictionary<string, object?>())]),
            new(ChatRole.Tool, [new FunctionResultContent("a", "one"), new FunctionResultContent("b", "two")]) { AdditionalProperties = new() { ["cache_hint"] = null } },
        ];

        var text = (await Client("selfhosted", ProviderCatalog.Default.With(profile)).GetStreamingResponseAsync(messages).ToChatResponseAsync()).Text;

        Assert.Equal("ok", text);
        var sent = SentMessages();
        Assert.Equal(["user", "assistant", "tool", "tool"], sent.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("""{"ttl":300}""", sent[0]!["cache_hint"]!.ToJsonString());
        Assert.Equal("Weather?", sent[0]!["content"] is JsonValue v ? v.GetValue<string>() : sent[0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(["a", "b"], sent.Skip(2).Select(m => m!["tool_call_id"]!.GetValue<string>()));
        Assert.Equal(["one", "two"], sent.Skip(2).Select(m => m!["content"] is JsonValue c ? c.GetValue<string>() : m!["content"]![0]!["text"]!.GetValue<string>()));
        Assert.All(sent.Skip(2), m => Assert.True(m!.AsObject().ContainsKey("cache_hint") && m!["cache_hint"] is null));
    }

    [Fact]
    public async Task Moonshot_prefix_messages_are_sent_as_partial_mode()
    {
        _server.Enqueue(ScriptedResponse.Json(Completion));

        await Client("moonshot").GetResponseAsync([new(ChatRole.User, "Extract the product as JSON."), new ChatMessage(ChatRole.Assistant, "{").AsPrefix()]);

        Assert.EndsWith("/v1/chat/completions", _server.LastRequest.Path, StringComparison.Ordinal);
        var last = SentMessages()[^1]!.AsObject();
        Assert.Equal("assistant", last["role"]!.GetValue<string>());
        Assert.Equal("{", last["content"] is JsonValue c ? c.GetValue<string>() : last["content"]![0]!["text"]!.GetValue<string>());
        Assert.True(last["partial"]!.GetValue<bool>());
        Assert.False(last.ContainsKey("prefix"));
    }

    [Fact]
    public async Task A_message_that_already_carries_its_raw_SDK_form_gets_the_field_on_a_copy()
    {
        _server.Enqueue(ScriptedResponse.Json(Completion));
        var profile = new ProviderProfile { Name = "selfhosted", DefaultModel = "m", MessageFields = ["cache_hint"], Sources = ["test"] };
        var raw = new OpenAI.Chat.UserChatMessage("Weather in Paris?");
        var message = new ChatMessage(ChatRole.User, "Weather in Paris?") { RawRepresentation = raw, AdditionalProperties = new() { ["cache_hint"] = "long" } };

        await Client("selfhosted", ProviderCatalog.Default.With(profile)).GetResponseAsync([message]);

        var sent = Assert.Single(SentMessages())!.AsObject();
        Assert.Equal("long", sent["cache_hint"]!.GetValue<string>());
        Assert.Equal("user", sent["role"]!.GetValue<string>());
        Assert.Same(raw, message.RawRepresentation);
        Assert.False(raw.Patch.Contains("$.cache_hint"u8));
    }
}
