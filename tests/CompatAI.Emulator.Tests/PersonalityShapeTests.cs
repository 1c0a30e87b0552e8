using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CompatAI.Emulator.Tests;

public sealed partial class PersonalityShapeTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private static JsonNode? Delta(JsonObject chunk) => chunk["choices"] is JsonArray { Count: > 0 } a ? a[0]!["delta"] : null;

    [Fact]
    public async Task OpenAI_stream_has_obfuscation_and_a_usage_chunk_with_empty_choices_only_when_requested()
    {
        var withUsage = await Wire.ChatAsync(_emulator, "openai", Wire.UserChat("gpt-4o-mini", "hi", true, "\"stream_options\":{\"include_usage\":true},"));
        var without = await Wire.ChatAsync(_emulator, "openai", Wire.UserChat("gpt-4o-mini", "hi", true));

        Assert.All(withUsage.Chunks, c => Assert.False(string.IsNullOrEmpty(c["obfuscation"].S())));
        Assert.Equal("""{"role":"assistant","content":"","refusal":null}""", Delta(withUsage.Chunks[0])!.ToJsonString());
        var last = withUsage.Chunks[^1];
        Assert.Empty((JsonArray)last["choices"]!);
        Assert.Equal(
            last["usage"]!["prompt_tokens"]!.GetValue<int>() + last["usage"]!["completion_tokens"]!.GetValue<int>(),
            last["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.All(withUsage.Chunks.SkipLast(1), c => Assert.True(c.ContainsKey("usage") && c["usage"] is null));
        Assert.NotEmpty((JsonArray)without.Chunks[^1]["choices"]!);
        Assert.True(withUsage.EndsWithDone && without.EndsWithDone);
    }

    [Fact]
    public async Task DeepSeek_reasoner_streams_reasoning_content_then_content_and_usage_on_the_finish_chunk()
    {
        var reply = await Wire.ChatAsync(_emulator, "deepseek", Wire.UserChat("deepseek-reasoner", "count letters", stream: true));

        Assert.Equal("""{"role":"assistant","content":null,"reasoning_content":""}""", Delta(reply.Chunks[0])!.ToJsonString());
        var reasoning = string.Concat(reply.Chunks.Select(c => Delta(c)?["reasoning_content"]).OfType<JsonValue>().Select(v => v.GetValue<string>()));
        Assert.Equal("Reasoning about: count letters", reasoning);
        Assert.Equal("You said: count letters", reply.StreamedContent);
        var finish = reply.Chunks[^1];
        Assert.Equal("stop", finish["choices"]![0]!["finish_reason"].S());
        Assert.Equal(0, finish["usage"]!["prompt_cache_hit_tokens"]!.GetValue<int>());
        Assert.Equal(2, finish["usage"]!["prompt_cache_miss_tokens"]!.GetValue<int>());
        Assert.Equal(4, finish["usage"]!["completion_tokens_details"]!["reasoning_tokens"]!.GetValue<int>());
        Assert.All(reply.Chunks.SkipLast(1), c => Assert.True(c.ContainsKey("usage") && c["usage"] is null));
    }

    [Fact]
    public async Task DeepSeek_chat_without_thinking_has_no_reasoning_but_v4_and_thinking_enabled_do()
    {
        var chat = await Wire.ChatAsync(_emulator, "deepseek", Wire.UserChat("deepseek-chat", "hi"));
        var enabled = await Wire.ChatAsync(_emulator, "deepseek", Wire.UserChat("deepseek-chat", "hi", extra: "\"thinking\":{\"type\":\"enabled\"},"));
        var v4 = await Wire.ChatAsync(_emulator, "deepseek", Wire.UserChat("deepseek-v4-flash", "hi"));

        Assert.False(((JsonObject)chat.Json["choices"]![0]!["message"]!).ContainsKey("reasoning_content"));
        Assert.Equal("Reasoning about: hi", enabled.Json["choices"]![0]!["message"]!["reasoning_content"].S());
        Assert.Equal("Reasoning about: hi", v4.Json["choices"]![0]!["message"]!["reasoning_content"].S());
    }

    [Fact]
    public async Task DeepSeek_tool_calls_carry_index_and_call_00_ids_even_when_not_streaming()
    {
        var reply = await Wire.ChatAsync(_emulator, "deepseek", Wire.ToolChat("deepseek-chat", "weather"));
        var message = reply.Json["choices"]![0]!["message"]!;
        var call = message["tool_calls"]![0]!;

        Assert.Equal(string.Empty, message["content"].S());
        Assert.Equal(0, call["index"]!.GetValue<int>());
        Assert.Matches("^call_00_[A-Za-z0-9]{24}$", call["id"].S());
    }

    [Fact]
    public async Task Groq_reasoning_model_uses_reasoning_field_and_x_groq()
    {
        var reply = await Wire.ChatAsync(_emulator, "groq", Wire.UserChat("qwen/qwen3-32b", "hi"));
        var stream = await Wire.ChatAsync(_emulator, "groq", Wire.UserChat("openai/gpt-oss-20b", "hi", stream: true));

        Assert.Equal("Reasoning about: hi", reply.Json["choices"]![0]!["message"]!["reasoning"].S());
        Assert.StartsWith("req_", reply.Json["x_groq"]!["id"].S(), StringComparison.Ordinal);
        Assert.Equal("on_demand", reply.Json["service_tier"].S());
        Assert.NotNull(stream.Chunks[0]["x_groq"]);
        Assert.Equal("Reasoning about: hi", string.Concat(stream.Chunks.Select(c => Delta(c)?["reasoning"]).OfType<JsonValue>().Select(v => v.GetValue<string>())));
        Assert.NotNull(stream.Chunks[^1]["x_groq"]!["usage"]);
        Assert.Null(stream.Chunks[^1]["usage"]);
    }

    [Fact]
    public async Task Groq_streams_each_tool_call_whole_in_one_delta_with_index_last()
    {
        var reply = await Wire.ChatAsync(_emulator, "groq", Wire.ToolChat("llama-3.3-70b-versatile", "get_weather({\"city\":\"Oslo\"})", stream: true));

        var toolChunks = reply.Chunks.Where(c => Delta(c)?["tool_calls"] is not null).ToList();
        var call = (JsonObject)Single(toolChunks).Pipe(c => Delta(c)!["tool_calls"]![0]!);
        Assert.Equal(["id", "type", "function", "index"], call.Select(p => p.Key).ToArray());
        Assert.Matches("^[a-z0-9]{9}$", call["id"].S());
        Assert.Equal("""{"city":"Oslo"}""", call["function"]!["arguments"].S());
    }

    private static JsonObject Single(List<JsonObject> items)
    {
        Assert.Single(items);
        return items[0];
    }

    [Fact]
    public async Task OpenRouter_stream_has_keepalive_comments_provider_native_finish_reason_reasoning_details_and_cost()
    {
        var reply = await Wire.ChatAsync(_emulator, "openrouter", Wire.UserChat("anthropic/claude-sonnet-4", "hi", true, "\"reasoning\":{\"effort\":\"high\"},"));

        Assert.StartsWith(": OPENROUTER PROCESSING\n\n", reply.Body, StringComparison.Ordinal);
        Assert.All(reply.Chunks, c => Assert.Equal("Anthropic", c["provider"].S()));
        var reasoningDelta = reply.Chunks.Select(Delta).First(d => d?["reasoning"] is not null)!;
        Assert.Equal("reasoning.text", reasoningDelta["reasoning_details"]![0]!["type"].S());
        var finish = reply.Chunks.Single(c => c["choices"]![0]!["finish_reason"] is not null);
        Assert.Equal("end_turn", finish["choices"]![0]!["native_finish_reason"].S());
        Assert.True(reply.Chunks[^1]["usage"]!["cost"]!.GetValue<decimal>() > 0);
        Assert.True(reply.EndsWithDone);
    }

    [Fact]
    public async Task OpenRouter_non_stream_carries_provider_reasoning_null_and_usage_cost()
    {
        var reply = await Wire.ChatAsync(_emulator, "openrouter", Wire.UserChat("openai/gpt-4o-mini", "hi"));
        var choice = reply.Json["choices"]![0]!;

        Assert.Equal("OpenAI", reply.Json["provider"].S());
        Assert.Equal("stop", choice["native_finish_reason"].S());
        Assert.True(((JsonObject)choice["message"]!).ContainsKey("reasoning"));
        Assert.Null(choice["message"]!["reasoning"]);
        Assert.False(reply.Json["usage"]!["is_byok"]!.GetValue<bool>());
        Assert.StartsWith("gen-", reply.Json["id"].S(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mistral_tool_calls_have_9_char_ids_no_type_and_stream_without_index_in_the_finish_chunk()
    {
        var json = await Wire.ChatAsync(_emulator, "mistral", Wire.ToolChat("mistral-small-latest", "weather"));
        var stream = await Wire.ChatAsync(_emulator, "mistral", Wire.ToolChat("mistral-small-latest", "weather", stream: true));

        var call = (JsonObject)json.Json["choices"]![0]!["message"]!["tool_calls"]![0]!;
        Assert.Matches("^[a-zA-Z0-9]{9}$", call["id"].S());
        Assert.False(call.ContainsKey("type"));
        Assert.False(((JsonObject)json.Json["choices"]![0]!["message"]!).ContainsKey("content"));

        var finish = stream.Chunks[^1];
        var streamedCall = (JsonObject)Delta(finish)!["tool_calls"]![0]!;
        Assert.False(streamedCall.ContainsKey("index"));
        Assert.False(streamedCall.ContainsKey("type"));
        Assert.Equal("tool_calls", finish["choices"]![0]!["finish_reason"].S());
        Assert.NotNull(finish["usage"]);
    }

    [Fact]
    public async Task Magistral_returns_content_as_an_array_with_a_thinking_part()
    {
        var reply = await Wire.ChatAsync(_emulator, "mistral", Wire.UserChat("magistral-medium-2507", "2+2"));
        var content = (JsonArray)reply.Json["choices"]![0]!["message"]!["content"]!;

        Assert.Equal("thinking", content[0]!["type"].S());
        Assert.Equal("Reasoning about: 2+2", content[0]!["thinking"]![0]!["text"].S());
        Assert.Equal("You said: 2+2", content[1]!["text"].S());
    }

    [Fact]
    public async Task Perplexity_adds_citations_and_search_results_and_think_tags_for_reasoning_models()
    {
        var sonar = await Wire.ChatAsync(_emulator, "perplexity", Wire.UserChat("sonar", "news"));
        var reasoning = await Wire.ChatAsync(_emulator, "perplexity", Wire.UserChat("sonar-reasoning-pro", "news"));
        var stream = await Wire.ChatAsync(_emulator, "perplexity", Wire.UserChat("sonar", "news", stream: true));

        Assert.Equal(2, ((JsonArray)sonar.Json["citations"]!).Count);
        Assert.Equal(sonar.Json["citations"]![0].S(), sonar.Json["search_results"]![0]!["url"].S());
        Assert.Equal(1, sonar.Json["usage"]!["num_search_queries"]!.GetValue<int>());
        Assert.Equal("<think>\nReasoning about: news\n</think>\n\nYou said: news", reasoning.Json["choices"]![0]!["message"]!["content"].S());
        Assert.All(stream.Chunks, c => Assert.NotNull(c["citations"]));
        Assert.Equal("You said: news", stream.Chunks[^1]["choices"]![0]!["message"]!["content"].S());
        Assert.Equal("You said: news", stream.StreamedContent);
    }

    [Fact]
    public async Task Perplexity_ignores_tools()
    {
        var reply = await Wire.ChatAsync(_emulator, "perplexity", Wire.ToolChat("sonar", "weather"));
        Assert.Equal("You said: weather", reply.Json["choices"]![0]!["message"]!["content"].S());
    }

    [Fact]
    public async Task Vllm_reasoning_model_sends_both_reasoning_fields_and_token_ids_null()
    {
        var reply = await Wire.ChatAsync(_emulator, "vllm", Wire.UserChat("Qwen/Qwen3-8B", "hi", stream: true));

        var reasoningDeltas = reply.Chunks.Select(Delta).Where(d => d?["reasoning"] is not null).ToList();
        Assert.NotEmpty(reasoningDeltas);
        Assert.All(reasoningDeltas, d => Assert.Equal(d!["reasoning"].S(), d["reasoning_content"].S()));
        Assert.All(reply.Chunks, c => Assert.True(((JsonObject)c["choices"]![0]!).ContainsKey("token_ids")));
        Assert.Equal("You said: hi", reply.StreamedContent);
    }

    [Fact]
    public async Task Vllm_eos_model_finishes_with_eos_and_tool_ids_are_chatcmpl_tool()
    {
        var eos = await Wire.ChatAsync(_emulator, "vllm", Wire.UserChat("emulator/eos-finish-model", "hi", stream: true));
        var tools = await Wire.ChatAsync(_emulator, "vllm", Wire.ToolChat("meta-llama/Llama-3.1-8B-Instruct", "weather"));

        Assert.Equal("eos", eos.Chunks[^1]["choices"]![0]!["finish_reason"].S());
        Assert.Matches("^chatcmpl-tool-[0-9a-f]{16}$", tools.Json["choices"]![0]!["message"]!["tool_calls"]![0]!["id"].S());
    }

    [Fact]
    public async Task LlamaCpp_r1_model_splits_think_tags_across_chunks_and_reports_timings()
    {
        var stream = await Wire.ChatAsync(_emulator, "llamacpp", Wire.UserChat("DeepSeek-R1-Distill-Qwen-7B-GGUF", "hi", true, "\"stream_options\":{\"include_usage\":true},"));
        var json = await Wire.ChatAsync(_emulator, "llamacpp", Wire.UserChat("DeepSeek-R1-Distill-Qwen-7B-GGUF", "hi"));

        var pieces = stream.Chunks.Select(c => Delta(c)?["content"]).OfType<JsonValue>().Select(v => v.GetValue<string>()).ToList();
        Assert.Contains("<th", pieces);
        Assert.Contains("\n</", pieces);
        Assert.Equal("<think>\nReasoning about: hi\n</think>\n\nYou said: hi", stream.StreamedContent);
        Assert.NotNull(stream.Chunks[^1]["timings"]);
        Assert.NotNull(json.Json["timings"]);
        Assert.Equal("<think>\nReasoning about: hi\n</think>\n\nYou said: hi", json.Json["choices"]![0]!["message"]!["content"].S());
    }

    [Fact]
    public async Task MiniMax_m2_puts_think_in_content_or_reasoning_details_when_split()
    {
        var inline = await Wire.ChatAsync(_emulator, "minimax", Wire.UserChat("MiniMax-M2", "hi"));
        var split = await Wire.ChatAsync(_emulator, "minimax", Wire.UserChat("MiniMax-M2", "hi", extra: "\"reasoning_split\":true,"));

        Assert.StartsWith("<think>\n", inline.Json["choices"]![0]!["message"]!["content"].S(), StringComparison.Ordinal);
        Assert.Equal("You said: hi", split.Json["choices"]![0]!["message"]!["content"].S());
        Assert.Equal("Reasoning about: hi", split.Json["choices"]![0]!["message"]!["reasoning_details"]![0]!["text"].S());
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("groq")]
    [InlineData("deepseek")]
    [InlineData("openrouter")]
    [InlineData("mistral")]
    [InlineData("minimax")]
    [InlineData("perplexity")]
    [InlineData("vllm")]
    [InlineData("llamacpp")]
    public async Task Every_personality_answers_json_and_sse_with_the_echo_text(string personality)
    {
        var models = await Wire.SendAsync(HttpMethod.Get, new Uri(_emulator.GetEndpoint(personality), "models"));
        var model = models.Json["data"]![0]!["id"].S();
        var json = await Wire.ChatAsync(_emulator, personality, Wire.UserChat(model, "ping pong"));
        var sse = await Wire.ChatAsync(_emulator, personality, Wire.UserChat(model, "ping pong", stream: true));

        Assert.Equal("list", models.Json["object"].S());
        Assert.True(((JsonArray)models.Json["data"]!).Count >= 3);
        Assert.All((JsonArray)models.Json["data"]!, m => Assert.Equal("model", m!["object"].S()));
        Assert.Equal("chat.completion", json.Json["object"].S());
        Assert.Equal(model, json.Json["model"].S());
        Assert.EndsWith("You said: ping pong", ContentText(json.Json["choices"]![0]!["message"]!["content"]), StringComparison.Ordinal);
        Assert.EndsWith("You said: ping pong", sse.StreamedContent, StringComparison.Ordinal);
        Assert.All(sse.Chunks, c => Assert.Equal("chat.completion.chunk", c["object"].S()));
        Assert.True(sse.EndsWithDone);
        Assert.Matches(SseFraming(), sse.Body);
    }

    private static string ContentText(JsonNode? content) => content is JsonArray parts
        ? string.Concat(parts.Where(p => p!["type"].S() == "text").Select(p => p!["text"].S()))
        : content.S();

    [GeneratedRegex(@"\A(?:(?::[^\n]*|data: [^\n]+)\n\n)+\z")]
    private static partial Regex SseFraming();
}

internal static class PipeExtensions
{
    public static TOut Pipe<TIn, TOut>(this TIn value, Func<TIn, TOut> map) => map(value);
}
