using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests;

/// <summary>Malformed or unsupported requests are answered with an OpenAI error naming the field, before any upstream call, and never with a 5xx.</summary>
public sealed class ValidationTests : IAsyncLifetime
{
    private const string User = """{"role":"user","content":"hi"}""";
    private static readonly string s_oversized = "{\"model\":\"echo/echo-1\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 70_000) + "\"}]}";

    private GatewayServer _server = null!;
    private ScriptedChatClient _upstream = null!;

    public static TheoryData<string, string?, string, int, string?> Cases => new()
    {
        // name, content type, body, expected status, expected param
        { "not json", "application/json", "{not json", 400, null },
        { "empty body", "application/json", "", 400, null },
        { "body is an array", "application/json", "[1,2]", 400, null },
        { "body is a string", "application/json", "\"hello\"", 400, null },
        { "truncated json", "application/json", """{"model":"echo/echo-1","messages":[""", 400, null },
        { "missing model", "application/json", $$$"""{"messages":[{{{User}}}]}""", 400, "model" },
        { "model is a number", "application/json", $$$"""{"model":42,"messages":[{{{User}}}]}""", 400, "model" },
        { "model is empty", "application/json", $$$"""{"model":"","messages":[{{{User}}}]}""", 400, "model" },
        { "model prefix without id", "application/json", $$$"""{"model":"echo/","messages":[{{{User}}}]}""", 400, "model" },
        { "unknown model prefix", "application/json", $$$"""{"model":"nosuch/m","messages":[{{{User}}}]}""", 404, "model" },
        { "missing messages", "application/json", """{"model":"echo/echo-1"}""", 400, "messages" },
        { "messages is an object", "application/json", """{"model":"echo/echo-1","messages":{"role":"user"}}""", 400, "messages" },
        { "empty messages", "application/json", """{"model":"echo/echo-1","messages":[]}""", 400, "messages" },
        { "message is a string", "application/json", """{"model":"echo/echo-1","messages":["hi"]}""", 400, "messages[0]" },
        { "missing role", "application/json", """{"model":"echo/echo-1","messages":[{"content":"hi"}]}""", 400, "messages[0].role" },
        { "unknown role", "application/json", """{"model":"echo/echo-1","messages":[{"role":"wizard","content":"hi"}]}""", 400, "messages[0].role" },
        { "role is a number", "application/json", """{"model":"echo/echo-1","messages":[{"role":1,"content":"hi"}]}""", 400, "messages[0].role" },
        { "deprecated function role", "application/json", """{"model":"echo/echo-1","messages":[{"role":"function","name":"f","content":"x"}]}""", 400, "messages[0].role" },
        { "user content missing", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user"}]}""", 400, "messages[0].content" },
        { "user content is a number", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":5}]}""", 400, "messages[0].content" },
        { "content parts empty", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":[]}]}""", 400, "messages[0].content" },
        { "content part is a string", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":["hi"]}]}""", 400, "messages[0].content[0]" },
        { "content part without type", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":[{"text":"hi"}]}]}""", 400, "messages[0].content[0].type" },
        { "unsupported content part", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}""", 400, "messages[0].content[0].type" },
        { "text part without text", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":[{"type":"text"}]}]}""", 400, "messages[0].content[0].text" },
        { "image without url", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}""", 400, "messages[0].content[0].image_url.url" },
        { "image with bad url", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}""", 400, "messages[0].content[0].image_url.url" },
        { "image with bad detail", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"ultra"}}]}]}""", 400, "messages[0].content[0].image_url.detail" },
        { "image in a system message", "application/json", """{"model":"echo/echo-1","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}""", 400, "messages[0].content[0].type" },
        { "assistant with nothing", "application/json", """{"model":"echo/echo-1","messages":[{"role":"assistant"}]}""", 400, "messages[0].content" },
        { "tool call without id", "application/json", """{"model":"echo/echo-1","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]}""", 400, "messages[0].tool_calls[0].id" },
        { "tool call arguments not json", "application/json", """{"model":"echo/echo-1","messages":[{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{oops"}}]}]}""", 400, "messages[0].tool_calls[0].function.arguments" },
        { "tool message without tool_call_id", "application/json", """{"model":"echo/echo-1","messages":[{"role":"tool","content":"42"}]}""", 400, "messages[0].tool_call_id" },
        { "message name is a number", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":"hi","name":3}]}""", 400, "messages[0].name" },
        { "n is 3", "application/json", $$$"""{"model":"echo/echo-1","n":3,"messages":[{{{User}}}]}""", 400, "n" },
        { "n is a string", "application/json", $$$"""{"model":"echo/echo-1","n":"1","messages":[{{{User}}}]}""", 400, "n" },
        { "temperature is a string", "application/json", $$$"""{"model":"echo/echo-1","temperature":"hot","messages":[{{{User}}}]}""", 400, "temperature" },
        { "temperature out of range", "application/json", $$$"""{"model":"echo/echo-1","temperature":3.5,"messages":[{{{User}}}]}""", 400, "temperature" },
        { "top_p out of range", "application/json", $$$"""{"model":"echo/echo-1","top_p":1.5,"messages":[{{{User}}}]}""", 400, "top_p" },
        { "max_tokens zero", "application/json", $$$"""{"model":"echo/echo-1","max_tokens":0,"messages":[{{{User}}}]}""", 400, "max_tokens" },
        { "max_completion_tokens fractional", "application/json", $$$"""{"model":"echo/echo-1","max_completion_tokens":1.5,"messages":[{{{User}}}]}""", 400, "max_completion_tokens" },
        { "presence_penalty out of range", "application/json", $$$"""{"model":"echo/echo-1","presence_penalty":-3,"messages":[{{{User}}}]}""", 400, "presence_penalty" },
        { "seed is a string", "application/json", $$$"""{"model":"echo/echo-1","seed":"abc","messages":[{{{User}}}]}""", 400, "seed" },
        { "stop is a number", "application/json", $$$"""{"model":"echo/echo-1","stop":7,"messages":[{{{User}}}]}""", 400, "stop" },
        { "stop has five entries", "application/json", $$$"""{"model":"echo/echo-1","stop":["a","b","c","d","e"],"messages":[{{{User}}}]}""", 400, "stop" },
        { "stream is a string", "application/json", $$$"""{"model":"echo/echo-1","stream":"yes","messages":[{{{User}}}]}""", 400, "stream" },
        { "stream_options without stream", "application/json", $$$"""{"model":"echo/echo-1","stream_options":{"include_usage":true},"messages":[{{{User}}}]}""", 400, "stream_options" },
        { "include_usage is a string", "application/json", $$$"""{"model":"echo/echo-1","stream":true,"stream_options":{"include_usage":"yes"},"messages":[{{{User}}}]}""", 400, "stream_options.include_usage" },
        { "tools is an object", "application/json", $$$"""{"model":"echo/echo-1","tools":{},"messages":[{{{User}}}]}""", 400, "tools" },
        { "tool of another type", "application/json", $$$"""{"model":"echo/echo-1","tools":[{"type":"web_search"}],"messages":[{{{User}}}]}""", 400, "tools[0].type" },
        { "tool with a bad name", "application/json", $$$"""{"model":"echo/echo-1","tools":[{"type":"function","function":{"name":"has space"}}],"messages":[{{{User}}}]}""", 400, "tools[0].function.name" },
        { "tool parameters not an object", "application/json", $$$"""{"model":"echo/echo-1","tools":[{"type":"function","function":{"name":"f","parameters":"x"}}],"messages":[{{{User}}}]}""", 400, "tools[0].function.parameters" },
        { "duplicate tool names", "application/json", $$$"""{"model":"echo/echo-1","tools":[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f"}}],"messages":[{{{User}}}]}""", 400, "tools[1].function.name" },
        { "tool_choice unknown mode", "application/json", $$$"""{"model":"echo/echo-1","tool_choice":"sometimes","messages":[{{{User}}}]}""", 400, "tool_choice" },
        { "tool_choice required without tools", "application/json", $$$"""{"model":"echo/echo-1","tool_choice":"required","messages":[{{{User}}}]}""", 400, "tool_choice" },
        { "tool_choice names an undeclared tool", "application/json", $$$"""{"model":"echo/echo-1","tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}},"messages":[{{{User}}}]}""", 400, "tool_choice.function.name" },
        { "parallel_tool_calls is a string", "application/json", $$$"""{"model":"echo/echo-1","parallel_tool_calls":"true","messages":[{{{User}}}]}""", 400, "parallel_tool_calls" },
        { "response_format unknown type", "application/json", $$$"""{"model":"echo/echo-1","response_format":{"type":"xml"},"messages":[{{{User}}}]}""", 400, "response_format.type" },
        { "json_schema without schema", "application/json", $$$"""{"model":"echo/echo-1","response_format":{"type":"json_schema","json_schema":{"name":"x"}},"messages":[{{{User}}}]}""", 400, "response_format.json_schema.schema" },
        { "reasoning_effort unknown", "application/json", $$$"""{"model":"echo/echo-1","reasoning_effort":"extreme","messages":[{{{User}}}]}""", 400, "reasoning_effort" },
        { "logprobs requested", "application/json", $$$"""{"model":"echo/echo-1","logprobs":true,"messages":[{{{User}}}]}""", 400, "logprobs" },
        { "deprecated functions", "application/json", $$$"""{"model":"echo/echo-1","functions":[{"name":"f"}],"messages":[{{{User}}}]}""", 400, "functions" },
        { "audio modality", "application/json", $$$"""{"model":"echo/echo-1","modalities":["text","audio"],"messages":[{{{User}}}]}""", 400, "modalities" },
        { "lone surrogate in a string", "application/json", """{"model":"echo/echo-1","messages":[{"role":"user","content":"\ud800"}]}""", 400, null },
        { "seed beyond 64 bits", "application/json", $$$"""{"model":"echo/echo-1","seed":1e30,"messages":[{{{User}}}]}""", 400, "seed" },
        { "wrong content type", "text/plain", $$$"""{"model":"echo/echo-1","messages":[{{{User}}}]}""", 415, null },
        { "form content type", "application/x-www-form-urlencoded", "model=echo/echo-1", 415, null },
        { "no content type", null, $$$"""{"model":"echo/echo-1","messages":[{{{User}}}]}""", 415, null },
        { "oversized body", "application/json", s_oversized, 413, null },
    };

    public async Task InitializeAsync()
    {
        _upstream = new ScriptedChatClient();
        _server = await GatewayServer.StartAsync(
            new Dictionary<string, string?> { ["CompatAI:Gateway:MaxRequestBodyBytes"] = "65536" },
            gateway => gateway.AddChatClient("spy", _upstream, "m"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_request_gets_an_OpenAI_error_naming_the_field(string name, string? contentType, string body, int status, string? param)
    {
        // The same body against the spying provider proves nothing reaches upstream.
        var spyBody = body.Replace("\"echo/echo-1\"", "\"spy/m\"", StringComparison.Ordinal).Replace("\"echo/\"", "\"spy/\"", StringComparison.Ordinal);
        foreach (var payload in new[] { body, spyBody })
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload));
            if (contentType is not null)
            {
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }

            using var response = await _server.Http.PostAsync("v1/chat/completions", content);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"{name}: expected {status}, got {(int)response.StatusCode}: {text}");
            using var json = JsonDocument.Parse(text);
            var error = json.RootElement.GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
            if (param is null)
            {
                Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
            }
            else
            {
                Assert.Equal(param, error.GetProperty("param").GetString());
            }
        }

        Assert.Empty(_upstream.Calls);
    }

    [Fact]
    public void The_table_has_at_least_forty_cases() => Assert.True(Cases.Count >= 40, $"only {Cases.Count} cases");

    [Fact]
    public async Task Valid_request_with_every_supported_field_reaches_the_provider_mapped()
    {
        var body = """
        {
          "model": "spy/m",
          "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "developer", "content": [{"type": "text", "text": "dev note"}]},
            {"role": "user", "name": "ann", "content": [{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}}]},
            {"role": "assistant", "content": null, "reasoning_content": "thinking", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}
          ],
          "temperature": 0.5, "top_p": 0.9, "max_tokens": 10, "max_completion_tokens": 20, "stop": ["x"], "user": "u1", "n": 1,
          "seed": 7, "frequency_penalty": 0.1, "presence_penalty": 0.2,
          "tools": [{"type": "function", "function": {"name": "get_weather", "description": "w", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
          "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
          "parallel_tool_calls": false,
          "response_format": {"type": "json_schema", "json_schema": {"name": "out", "schema": {"type": "object"}}},
          "reasoning_effort": "high",
          "top_k": 40
        }
        """;
        using var response = await _server.Http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(200, (int)response.StatusCode);

        var (messages, options) = Assert.Single(_upstream.Calls);
        Assert.NotNull(options);
        Assert.Equal("m", options.ModelId);
        Assert.Equal(0.5f, options.Temperature);
        Assert.Equal(0.9f, options.TopP);
        Assert.Equal(20, options.MaxOutputTokens);
        Assert.Equal(["x"], options.StopSequences!);
        Assert.Equal(7, options.Seed);
        Assert.Equal(0.1f, options.FrequencyPenalty);
        Assert.Equal(0.2f, options.PresencePenalty);
        Assert.False(options.AllowMultipleToolCalls);
        Assert.Equal("get_weather", Assert.Single(options.Tools!).Name);
        Assert.Equal("get_weather", Assert.IsType<Microsoft.Extensions.AI.RequiredChatToolMode>(options.ToolMode).RequiredFunctionName);
        Assert.Equal("out", Assert.IsType<Microsoft.Extensions.AI.ChatResponseFormatJson>(options.ResponseFormat).SchemaName);
        Assert.Equal(Microsoft.Extensions.AI.ReasoningEffort.High, options.Reasoning!.Effort);
        Assert.Equal("u1", options.AdditionalProperties!["user"]);
        Assert.Equal(40, ((JsonElement)options.AdditionalProperties["top_k"]!).GetInt32());

        Assert.Equal(5, messages.Count);
        Assert.Equal(Microsoft.Extensions.AI.ChatRole.System, messages[1].Role);
        Assert.Equal("ann", messages[2].AuthorName);
        var image = Assert.IsType<Microsoft.Extensions.AI.UriContent>(messages[2].Contents[1]);
        Assert.Equal("low", image.AdditionalProperties!["detail"]);
        Assert.Equal("thinking", Assert.IsType<Microsoft.Extensions.AI.TextReasoningContent>(messages[3].Contents[0]).Text);
        var call = Assert.IsType<Microsoft.Extensions.AI.FunctionCallContent>(messages[3].Contents[1]);
        Assert.Equal("Oslo", ((JsonElement)call.Arguments!["city"]!).GetString());
        var result = Assert.IsType<Microsoft.Extensions.AI.FunctionResultContent>(Assert.Single(messages[4].Contents));
        Assert.Equal("call_1", result.CallId);
        Assert.Equal("sunny", result.Result);
    }
}
