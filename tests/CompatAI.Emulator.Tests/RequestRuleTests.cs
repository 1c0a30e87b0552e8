using System.Net;

namespace CompatAI.Emulator.Tests;

public sealed class RequestRuleTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private async Task AssertRejectedAsync(string personality, string body, HttpStatusCode status, string expectedBody)
    {
        var reply = await Wire.ChatAsync(_emulator, personality, body);
        Assert.Equal(status, reply.Status);
        Assert.Equal(expectedBody, reply.Body);
    }

    [Fact]
    public Task Groq_rejects_n_greater_than_1() => AssertRejectedAsync("groq",
        Wire.UserChat("llama-3.3-70b-versatile", "hi", extra: "\"n\":2,"), HttpStatusCode.BadRequest,
        """{"error":{"message":"'n' : number must be at most 1","type":"invalid_request_error"}}""");

    [Fact]
    public Task Groq_rejects_logit_bias() => AssertRejectedAsync("groq",
        Wire.UserChat("llama-3.3-70b-versatile", "hi", extra: "\"logit_bias\":{\"50256\":-100},"), HttpStatusCode.BadRequest,
        """{"error":{"message":"property 'logit_bias' is unsupported","type":"invalid_request_error"}}""");

    [Fact]
    public Task Groq_rejects_unknown_top_level_property_with_a_hint() => AssertRejectedAsync("groq",
        Wire.UserChat("llama-3.3-70b-versatile", "hi", extra: "\"store\":true,"), HttpStatusCode.BadRequest,
        """{"error":{"message":"property 'store' is unsupported, did you mean 'stop'?","type":"invalid_request_error"}}""");

    [Fact]
    public Task Groq_rejects_unknown_message_property() => AssertRejectedAsync("groq",
        """{"model":"llama-3.3-70b-versatile","messages":[{"role":"system","content":"x","id":"m1"},{"role":"user","content":"hi"}]}""",
        HttpStatusCode.BadRequest,
        """{"error":{"message":"'messages.0' : for 'role:system' the following must be satisfied[('messages.0' : property 'id' is unsupported, did you mean 'name'?)]","type":"invalid_request_error"}}""");

    [Fact]
    public async Task Groq_accepts_a_plain_request_with_stream_options()
    {
        var reply = await Wire.ChatAsync(_emulator, "groq", Wire.UserChat("llama-3.3-70b-versatile", "hi", true, "\"stream_options\":{\"include_usage\":true},\"temperature\":0.2,"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.NotNull(reply.Chunks[^1]["usage"]);
    }

    [Fact]
    public Task Groq_rejects_a_non_numeric_temperature() => AssertRejectedAsync("groq",
        Wire.UserChat("llama-3.3-70b-versatile", "hi", extra: "\"temperature\":\"warm\","), HttpStatusCode.BadRequest,
        """{"error":{"message":"'temperature' : value must be a number","type":"invalid_request_error"}}""");

    [Fact]
    public Task Groq_rejects_json_mode_with_tools() => AssertRejectedAsync("groq",
        Wire.ToolChat("llama-3.3-70b-versatile", "hi").Replace("{\"model\"", "{\"response_format\":{\"type\":\"json_object\"},\"model\"", StringComparison.Ordinal),
        HttpStatusCode.BadRequest,
        """{"error":{"message":"json mode cannot be combined with tool/function calling","type":"invalid_request_error","param":"response_format"}}""");

    [Fact]
    public Task Mistral_rejects_a_conversation_ending_with_assistant() => AssertRejectedAsync("mistral",
        """{"model":"mistral-small-latest","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}""",
        HttpStatusCode.BadRequest,
        """{"object":"error","message":"Expected last role User or Tool (or Assistant with prefix True) for serving but got assistant","type":"invalid_request_message_order","param":null,"code":"3230"}""");

    [Fact]
    public async Task Mistral_accepts_an_assistant_prefix_as_the_last_message()
    {
        var reply = await Wire.ChatAsync(_emulator, "mistral",
            """{"model":"mistral-small-latest","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b","prefix":true}]}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public Task MiniMax_rejects_the_system_role() => AssertRejectedAsync("minimax",
        """{"model":"MiniMax-Text-01","messages":[{"role":"system","content":"x"},{"role":"user","content":"hi"}]}""",
        HttpStatusCode.BadRequest,
        """{"error":{"message":"invalid params, chat content has invalid message role: system (2013)","type":"bad_request_error","param":"","code":null}}""");

    [Fact]
    public Task MiniMax_M2_rejects_a_late_system_message() => AssertRejectedAsync("minimax",
        """{"model":"MiniMax-M2.7","messages":[{"role":"system","content":"x"},{"role":"user","content":"hi"},{"role":"system","content":"y"}]}""",
        HttpStatusCode.BadRequest,
        """{"error":{"message":"invalid params, invalid chat setting (2013)","type":"bad_request_error","param":"","code":null}}""");

    [Fact]
    public Task MiniMax_rejects_temperature_zero() => AssertRejectedAsync("minimax",
        """{"model":"MiniMax-M2.7","temperature":0,"messages":[{"role":"user","content":"hi"}]}""",
        HttpStatusCode.BadRequest,
        """{"error":{"message":"invalid params, temperature must be in (0, 1] (2013)","type":"bad_request_error","param":"","code":null}}""");

    [Fact]
    public Task OpenAI_reasoning_models_reject_stop() => AssertRejectedAsync("openai",
        """{"model":"o3-mini","stop":["END"],"messages":[{"role":"user","content":"hi"}]}""",
        HttpStatusCode.BadRequest,
        """{"error":{"message":"Unsupported parameter: 'stop' is not supported with this model.","type":"invalid_request_error","param":"stop","code":"unsupported_parameter"}}""");

    [Fact]
    public Task DeepSeek_rejects_the_developer_role() => AssertRejectedAsync("deepseek",
        """{"model":"deepseek-chat","messages":[{"role":"developer","content":"x"},{"role":"user","content":"hi"}]}""",
        HttpStatusCode.BadRequest,
        """{"error":{"message":"Failed to deserialize the JSON body into the target type: messages[0].role: unknown variant `developer`, expected one of `system`, `user`, `assistant`, `tool`","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}""");

    [Fact]
    public Task DeepSeek_r1_rejects_reasoning_content_in_input() => AssertRejectedAsync("deepseek",
        """{"model":"deepseek-r1","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b","reasoning_content":"r"},{"role":"user","content":"c"}]}""",
        HttpStatusCode.BadRequest,
        """{"error":{"message":"The reasoning_content is an intermediate result for display purposes only and will not be included in the context for inference. Please remove the reasoning_content from your message to reduce network traffic.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}""");

    private const string ToolTurnWithoutReasoning =
        """[{"role":"user","content":"a"},{"role":"assistant","content":"","tool_calls":[{"id":"call_00_x","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_00_x","content":"1"}]""";

    private const string MustBePassedBack =
        """{"error":{"message":"The reasoning_content in the thinking mode must be passed back to the API.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}""";

    [Fact]
    public Task DeepSeek_v4_requires_reasoning_content_on_tool_call_turns() => AssertRejectedAsync("deepseek",
        $$"""{"model":"deepseek-v4-flash","messages":{{ToolTurnWithoutReasoning}}}""", HttpStatusCode.BadRequest, MustBePassedBack);

    [Fact]
    public Task DeepSeek_thinking_enabled_requires_reasoning_content_on_tool_call_turns() => AssertRejectedAsync("deepseek",
        $$"""{"model":"deepseek-chat","thinking":{"type":"enabled"},"messages":{{ToolTurnWithoutReasoning}}}""", HttpStatusCode.BadRequest, MustBePassedBack);

    [Fact]
    public async Task DeepSeek_accepts_tool_turns_with_reasoning_content_in_thinking_mode_and_without_thinking()
    {
        var withReasoning = ToolTurnWithoutReasoning.Replace("\"content\":\"\",", "\"content\":\"\",\"reasoning_content\":\"r\",", StringComparison.Ordinal);
        var v4 = await Wire.ChatAsync(_emulator, "deepseek", $$"""{"model":"deepseek-v4-pro","messages":{{withReasoning}}}""");
        var chat = await Wire.ChatAsync(_emulator, "deepseek", $$"""{"model":"deepseek-chat","messages":{{ToolTurnWithoutReasoning}}}""");

        Assert.Equal(HttpStatusCode.OK, v4.Status);
        Assert.Equal("Tool results: f=1", v4.Json["choices"]![0]!["message"]!["content"].S());
        Assert.Equal(HttpStatusCode.OK, chat.Status);
    }

    [Fact]
    public Task OpenAI_reasoning_model_rejects_max_tokens() => AssertRejectedAsync("openai",
        Wire.UserChat("o3-mini", "hi", extra: "\"max_tokens\":10,"), HttpStatusCode.BadRequest,
        """{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}""");

    [Fact]
    public Task OpenAI_reasoning_model_rejects_non_default_temperature() => AssertRejectedAsync("openai",
        Wire.UserChat("gpt-5", "hi", extra: "\"temperature\":0.7,"), HttpStatusCode.BadRequest,
        """{"error":{"message":"Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported.","type":"invalid_request_error","param":"temperature","code":"unsupported_value"}}""");

    [Fact]
    public Task OpenAI_o1_mini_rejects_the_system_role() => AssertRejectedAsync("openai",
        """{"model":"o1-mini","messages":[{"role":"system","content":"x"},{"role":"user","content":"hi"}]}""", HttpStatusCode.BadRequest,
        """{"error":{"message":"Unsupported value: 'messages[0].role' does not support 'system' with this model.","type":"invalid_request_error","param":"messages[0].role","code":"unsupported_value"}}""");

    [Fact]
    public async Task OpenAI_accepts_max_tokens_on_chat_models_and_temperature_1_on_reasoning_models()
    {
        var chat = await Wire.ChatAsync(_emulator, "openai", Wire.UserChat("gpt-4o-mini", "hi", extra: "\"max_tokens\":10,\"temperature\":0.2,"));
        var reasoning = await Wire.ChatAsync(_emulator, "openai", Wire.UserChat("o3-mini", "hi", extra: "\"max_completion_tokens\":10,\"temperature\":1,"));

        Assert.Equal(HttpStatusCode.OK, chat.Status);
        Assert.Equal(HttpStatusCode.OK, reasoning.Status);
        Assert.True(reasoning.Json["usage"]!["completion_tokens_details"]!["reasoning_tokens"]!.GetValue<int>() > 0);
    }

    [Fact]
    public Task Mistral_rejects_non_conforming_tool_call_ids() => AssertRejectedAsync("mistral",
        """{"model":"mistral-small-latest","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"","tool_calls":[{"id":"call_0fypS1hVX","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_0fypS1hVX","content":"1"}]}""",
        HttpStatusCode.BadRequest,
        """{"object":"error","message":"Tool call id was call_0fypS1hVX but must be a-z, A-Z, 0-9, with a length of 9.","type":"invalid_function_call","param":null,"code":"3280"}""");

    [Fact]
    public Task Mistral_rejects_a_bad_tool_message_id_too() => AssertRejectedAsync("mistral",
        """{"model":"mistral-small-latest","messages":[{"role":"user","content":"a"},{"role":"tool","tool_call_id":"abc123","content":"1"}]}""",
        HttpStatusCode.BadRequest,
        """{"object":"error","message":"Tool call id was abc123 but must be a-z, A-Z, 0-9, with a length of 9.","type":"invalid_function_call","param":null,"code":"3280"}""");

    [Fact]
    public async Task Mistral_rejects_tool_choice_required_but_accepts_any()
    {
        var required = await Wire.ChatAsync(_emulator, "mistral", Wire.ToolChat("mistral-small-latest", "hi", toolChoice: "\"required\""));
        var any = await Wire.ChatAsync(_emulator, "mistral", Wire.ToolChat("mistral-small-latest", "hi", toolChoice: "\"any\""));

        Assert.Equal((HttpStatusCode)422, required.Status);
        Assert.Contains("Input should be 'auto', 'none' or 'any'", required.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, any.Status);
        Assert.Equal("tool_calls", any.Json["choices"]![0]!["finish_reason"].S());
    }

    [Fact]
    public async Task Mistral_accepts_its_own_tool_call_ids_round_trip()
    {
        var first = await Wire.ChatAsync(_emulator, "mistral", Wire.ToolChat("mistral-small-latest", "weather"));
        var id = first.Json["choices"]![0]!["message"]!["tool_calls"]![0]!["id"].S();
        var second = await Wire.ChatAsync(_emulator, "mistral", $$$"""
            {"model":"mistral-small-latest","tools":[{{{Wire.WeatherTool}}}],"messages":[{"role":"user","content":"weather"},
             {"role":"assistant","content":"","tool_calls":[{"id":"{{{id}}}","function":{"name":"get_weather","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"{{{id}}}","name":"get_weather","content":"rain"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal("Tool results: get_weather=rain", second.Json["choices"]![0]!["message"]!["content"].S());
    }

    private const string NotAlternating =
        """{"error":{"message":"After the (optional) system message(s), user and assistant roles should be alternating.","type":"invalid_message","code":400}}""";

    [Fact]
    public Task Perplexity_rejects_two_user_turns_in_a_row() => AssertRejectedAsync("perplexity",
        """{"model":"sonar","messages":[{"role":"system","content":"s"},{"role":"user","content":"a"},{"role":"user","content":"b"}]}""",
        HttpStatusCode.BadRequest, NotAlternating);

    [Fact]
    public Task Perplexity_rejects_a_conversation_ending_with_assistant() => AssertRejectedAsync("perplexity",
        """{"model":"sonar","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}""",
        HttpStatusCode.BadRequest, NotAlternating);

    [Fact]
    public async Task Perplexity_accepts_alternating_turns_after_system_messages()
    {
        var reply = await Wire.ChatAsync(_emulator, "perplexity",
            """{"model":"sonar","messages":[{"role":"system","content":"s"},{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }
}
