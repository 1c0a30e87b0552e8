using System.Net;
using System.Text.Json.Nodes;

namespace CompatAI.Emulator.Tests;

public sealed class AnswerRuleTests
{
    [Fact]
    public async Task Plain_answer_echoes_the_last_user_text()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var reply = await Wire.ChatAsync(emulator, "openai", """
            {"model":"gpt-4o-mini","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"second question"}]}]}
            """);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("You said: second question", reply.Json["choices"]![0]!["message"]!["content"].S());
        Assert.Equal("stop", reply.Json["choices"]![0]!["finish_reason"].S());
    }

    [Fact]
    public async Task Streamed_answer_is_split_into_word_sized_chunks_that_concatenate_to_the_text()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var reply = await Wire.ChatAsync(emulator, "openai", Wire.UserChat("gpt-4o-mini", "alpha beta gamma", stream: true));

        Assert.Equal("text/event-stream; charset=utf-8", reply.Message.Header("Content-Type"));
        Assert.Equal("You said: alpha beta gamma", reply.StreamedContent);
        var pieces = reply.Chunks.Select(c => c["choices"]is JsonArray { Count: > 0 } a ? a[0]!["delta"]!["content"] : null)
            .Where(n => n is JsonValue v && v.GetValue<string>().Length > 0).Select(n => n.S()).ToList();
        Assert.Equal(["You", " said:", " alpha", " beta", " gamma"], pieces);
        Assert.True(reply.EndsWithDone);
    }

    [Fact]
    public async Task Answers_are_deterministic_for_the_same_request()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var body = Wire.ToolChat("gpt-4o-mini", "weather please");
        var first = await Wire.ChatAsync(emulator, "openai", body);
        var second = await Wire.ChatAsync(emulator, "openai", body);

        Assert.Equal(first.Json["id"].S(), second.Json["id"].S());
        Assert.Equal(first.Json["choices"]!.ToJsonString(), second.Json["choices"]!.ToJsonString());
    }

    [Fact]
    public async Task Named_tool_choice_selects_that_tool_with_schema_sampled_arguments()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var reply = await Wire.ChatAsync(emulator, "openai",
            Wire.ToolChat("gpt-4o-mini", "what is the time and weather", toolChoice: """{"type":"function","function":{"name":"get_weather"}}"""));

        var message = reply.Json["choices"]![0]!["message"]!;
        var calls = (JsonArray)message["tool_calls"]!;
        Assert.Single(calls);
        Assert.Equal("get_weather", calls[0]!["function"]!["name"].S());
        Assert.Equal("""{"city":"sample","days":1,"metric":true}""", calls[0]!["function"]!["arguments"].S());
        Assert.StartsWith("call_", calls[0]!["id"].S(), StringComparison.Ordinal);
        Assert.Equal("tool_calls", reply.Json["choices"]![0]!["finish_reason"].S());
        Assert.Null(message["content"]);
    }

    [Fact]
    public async Task Every_tool_named_in_the_user_text_is_called_in_parallel_with_enum_and_explicit_arguments()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var reply = await Wire.ChatAsync(emulator, "openai",
            Wire.ToolChat("gpt-4o-mini", """use get_time and get_weather({"city": "Paris", "days": 3}) please"""));

        var calls = (JsonArray)reply.Json["choices"]![0]!["message"]!["tool_calls"]!;
        Assert.Equal(2, calls.Count);
        Assert.Equal("get_weather", calls[0]!["function"]!["name"].S());
        Assert.Equal("""{"city":"Paris","days":3}""", calls[0]!["function"]!["arguments"].S());
        Assert.Equal("get_time", calls[1]!["function"]!["name"].S());
        Assert.Equal("""{"zone":"UTC"}""", calls[1]!["function"]!["arguments"].S());
        Assert.NotEqual(calls[0]!["id"].S(), calls[1]!["id"].S());
    }

    [Fact]
    public async Task Without_a_mention_the_first_tool_is_called_and_none_choice_gives_text()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var auto = await Wire.ChatAsync(emulator, "openai", Wire.ToolChat("gpt-4o-mini", "hello"));
        var none = await Wire.ChatAsync(emulator, "openai", Wire.ToolChat("gpt-4o-mini", "hello", toolChoice: "\"none\""));

        Assert.Equal("get_weather", auto.Json["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!["name"].S());
        Assert.Equal("You said: hello", none.Json["choices"]![0]!["message"]!["content"].S());
    }

    [Fact]
    public async Task Trailing_tool_results_are_summarised_and_paired_with_their_calls_by_id()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var reply = await Wire.ChatAsync(emulator, "openai", $$$"""
            {"model":"gpt-4o-mini","tools":[{{{Wire.WeatherTool}}},{{{Wire.TimeTool}}}],"messages":[
              {"role":"user","content":"get_weather and get_time"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{}"}},
                {"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_b","content":"12:00"},
              {"role":"tool","tool_call_id":"call_a","content":"sunny"}]}
            """);

        Assert.Equal("Tool results: get_time=12:00; get_weather=sunny", reply.Json["choices"]![0]!["message"]!["content"].S());
        Assert.Equal("stop", reply.Json["choices"]![0]!["finish_reason"].S());
    }

    [Fact]
    public async Task Streamed_tool_calls_use_canonical_openai_deltas()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var reply = await Wire.ChatAsync(emulator, "openai", Wire.ToolChat("gpt-4o-mini", "get_time and get_weather", stream: true));

        var toolDeltas = reply.Chunks
            .Select(c => c["choices"] is JsonArray { Count: > 0 } a ? a[0]!["delta"]!["tool_calls"] as JsonArray : null)
            .OfType<JsonArray>().Select(a => (JsonObject)a[0]!).ToList();
        Assert.Equal(4, toolDeltas.Count);
        Assert.Equal(0, toolDeltas[0]["index"]!.GetValue<int>());
        Assert.Equal("function", toolDeltas[0]["type"].S());
        Assert.Equal(string.Empty, toolDeltas[0]["function"]!["arguments"].S());
        Assert.False(toolDeltas[1].ContainsKey("id"));
        Assert.Equal(1, toolDeltas[3]["index"]!.GetValue<int>());
        Assert.Equal("tool_calls", reply.Chunks[^1]["choices"]![0]!["finish_reason"].S());
    }
}
