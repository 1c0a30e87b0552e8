using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using CompatAI.Emulator;
using CompatAI.Gateway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace CompatAI.Gateway.Tests;

/// <summary>
/// Client → real gateway → CompatChatClient.Create → provider emulator, all on loopback: the gateway serves CompatAI
/// pipelines built from configuration exactly as it serves the echo provider.
/// </summary>
public sealed class EmulatorEndToEndTests : IAsyncLifetime
{
    private const string EmulatorKey = "sk-emulator-key-91c2";

    private ProviderEmulator _emulator = null!;
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKey = EmulatorKey });
        var config = new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:ForwardHeaders:0"] = "X-Emulator-Fault",
            ["CompatAI:Gateway:Aliases:reasoner"] = "deepseek/deepseek-reasoner",
        };
        void Provider(string name, string? key, string model)
        {
            config[$"CompatAI:Providers:{name}:Provider"] = name;
            config[$"CompatAI:Providers:{name}:Endpoint"] = _emulator.GetEndpoint(name).ToString();
            config[$"CompatAI:Providers:{name}:Model"] = model;
            config[$"CompatAI:Providers:{name}:Retry:MaxRetries"] = "0";
            if (key is not null)
            {
                config[$"CompatAI:Providers:{name}:ApiKey"] = key;
            }
        }

        Provider("groq", EmulatorKey, "llama-3.3-70b-versatile");
        config["CompatAI:Providers:groq:Headers:X-Configured-Header"] = "from-config";
        Provider("deepseek", EmulatorKey, "deepseek-chat");
        Provider("openai", null, "gpt-4o-mini"); // no key of its own: the client's key is passed through
        config["CompatAI:Fallback:0"] = "openai";
        config["CompatAI:Fallback:1"] = "groq";
        _server = await GatewayServer.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    private ChatClient Sdk(string model, string key = EmulatorKey) =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = _server.V1, RetryPolicy = new ClientRetryPolicy(0) });

    private async Task<HttpResponseMessage> PostAsync(string body, string? fault = null, string key = EmulatorKey, HttpCompletionOption option = HttpCompletionOption.ResponseContentRead)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", key);
        if (fault is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Emulator-Fault", fault);
        }

        return await _server.Http.SendAsync(request, option);
    }

    [Fact]
    public async Task Sdk_completes_through_a_configured_compatai_provider()
    {
        var result = await Sdk("groq/llama-3.3-70b-versatile").CompleteChatAsync([new UserChatMessage("hello emulator")]);
        Assert.Equal("You said: hello emulator", Assert.Single(result.Value.Content).Text);
        Assert.Equal(ChatFinishReason.Stop, result.Value.FinishReason);
        Assert.StartsWith("groq/", result.Value.Model, StringComparison.Ordinal);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-compat-provider", out var provider));
        Assert.Equal("groq", provider);
        Assert.Contains(_emulator.Requests, r => r.Personality == "groq");
    }

    [Fact]
    public async Task Sdk_streams_through_the_pass_through_provider_with_the_clients_key()
    {
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in Sdk("openai/gpt-4o-mini").CompleteChatStreamingAsync([new UserChatMessage("stream me")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
        }

        Assert.Equal("You said: stream me", text.ToString());
        Assert.NotNull(usage);

        // The same provider with a wrong client key: the emulator's 401 comes back as a 401.
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Sdk("openai/gpt-4o-mini", "sk-wrong").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(401, error.Status);
        Assert.DoesNotContain("sk-wrong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdk_tool_calls_round_trip_through_the_emulator()
    {
        var tool = ChatTool.CreateFunctionTool("get_weather", "Weather for a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { Tools = { tool } };
        List<ChatMessage> messages = [new UserChatMessage("""call get_weather({"city":"Oslo"}) please""")];
        var chat = Sdk("groq/llama-3.3-70b-versatile");
        var first = (await chat.CompleteChatAsync(messages, options)).Value;
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Oslo", JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("city").GetString());

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "sunny"));
        var second = (await chat.CompleteChatAsync(messages, options)).Value;
        Assert.Contains("get_weather=sunny", Assert.Single(second.Content).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reasoning_from_deepseek_comes_back_as_reasoning_content()
    {
        using var json = await PostAsync("""{"model":"reasoner","messages":[{"role":"user","content":"think"}]}""");
        var text = await json.Content.ReadAsStringAsync();
        Assert.True(json.IsSuccessStatusCode, text);
        var message = JsonDocument.Parse(text).RootElement.GetProperty("choices")[0].GetProperty("message");
        Assert.False(string.IsNullOrEmpty(message.GetProperty("reasoning_content").GetString()));
        Assert.Equal("You said: think", message.GetProperty("content").GetString());

        using var stream = await PostAsync("""{"model":"deepseek/deepseek-reasoner","stream":true,"messages":[{"role":"user","content":"think"}]}""");
        var events = await Sse.ReadAllAsync(stream);
        var deltas = events.Where(e => e.Data != "[DONE]").Select(e => JsonDocument.Parse(e.Data).RootElement)
            .SelectMany(c => c.GetProperty("choices").EnumerateArray()).Select(c => c.GetProperty("delta")).ToList();
        Assert.Contains(deltas, d => d.TryGetProperty("reasoning_content", out _));
        Assert.Equal("You said: think", string.Concat(deltas.Select(d => d.TryGetProperty("content", out var c) ? c.GetString() : null)));
        Assert.Equal("[DONE]", events[^1].Data);
    }

    [Fact]
    public async Task Upstream_429_keeps_status_and_retry_after()
    {
        using var response = await PostAsync("""{"model":"groq/llama-3.3-70b-versatile","messages":[{"role":"user","content":"x"}]}""", "status=429;retry-after=7");
        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        // Groq's 429 body is its tokens-per-day limit, which CompatAI classifies as a quota: OpenAI's insufficient_quota
        // type, with Groq's own code kept.
        Assert.Equal("insufficient_quota", error.GetProperty("type").GetString());
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("tokens per day", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("groq", response.Headers.GetValues("x-compat-provider").Single());

        using var openai = await PostAsync("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"x"}]}""", "status=429;retry-after=3");
        Assert.Equal(429, (int)openai.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), openai.Headers.RetryAfter?.Delta);
    }

    [Theory]
    [InlineData("error-after=2")]
    [InlineData("cut-after=2")]
    public async Task Upstream_stream_failure_after_output_ends_with_an_error_event(string fault)
    {
        using var response = await PostAsync("""{"model":"groq/llama-3.3-70b-versatile","stream":true,"messages":[{"role":"user","content":"a somewhat longer sentence to stream in several chunks"}]}""", fault, option: HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        var events = await Sse.ReadAllAsync(response);
        Assert.DoesNotContain(events, e => e.Data == "[DONE]");
        Assert.Equal("error", events[^1].EventType);
        Assert.True(events.Count >= 2);
    }

    [Fact]
    public async Task Fallback_chain_of_provider_names_moves_to_the_next_provider()
    {
        // The pass-through provider rejects the wrong key before any output; the chain goes on to groq, which has its own key.
        using var response = await PostAsync("""{"model":"fallback","messages":[{"role":"user","content":"chain"}]}""", key: "sk-not-for-openai");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("groq", response.Headers.GetValues("x-compat-provider").Single());
        Assert.Contains("You said: chain", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_include_the_emulators_own_lists()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Authorization = new("Bearer", EmulatorKey);
        using var response = await _server.Http.SendAsync(request);
        var ids = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToList();
        Assert.Contains("groq/llama-3.3-70b-versatile", ids);
        Assert.Contains("openai/gpt-4o-mini", ids);
        Assert.True(ids.Count(i => i.StartsWith("deepseek/", StringComparison.Ordinal)) >= 2, string.Join(", ", ids));
        Assert.Contains("reasoner", ids);
        Assert.Contains("fallback", ids);
    }

    [Fact]
    public async Task The_provider_and_client_keys_never_reach_logs()
    {
        await Sdk("groq/llama-3.3-70b-versatile").CompleteChatAsync([new UserChatMessage("log check")]);
        await Assert.ThrowsAsync<ClientResultException>(() => Sdk("openai/gpt-4o-mini", "sk-wrong-logged?").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.DoesNotContain(EmulatorKey, _server.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong-logged?", _server.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_extra_fields_and_strict_flags_reach_the_provider_on_the_wire()
    {
        var body = """
        {
          "model": "groq/llama-3.3-70b-versatile",
          "messages": [{"role": "user", "content": "wire check"}],
          "temperature": 0.25, "max_completion_tokens": 33, "seed": 5, "stop": ["END"], "user": "user-17", "service_tier": "auto",
          "tools": [
            {"type": "function", "function": {"name": "strict_tool", "strict": true, "parameters": {"type": "object", "properties": {}, "additionalProperties": false}}},
            {"type": "function", "function": {"name": "loose_tool", "parameters": {"type": "object", "properties": {}}}}
          ],
          "tool_choice": "none"
        }
        """;
        using var response = await PostAsync(body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        var recorded = _emulator.Requests.Last(r => r.Personality == "groq" && r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));
        Assert.Equal("from-config", recorded.Headers["X-Configured-Header"]);
        Assert.Equal("Bearer " + EmulatorKey, recorded.Headers["Authorization"]);
        var sent = JsonDocument.Parse(recorded.Body).RootElement;
        Assert.Equal("llama-3.3-70b-versatile", sent.GetProperty("model").GetString());
        Assert.Equal(0.25, sent.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(5, sent.GetProperty("seed").GetInt32());
        Assert.Equal("END", sent.GetProperty("stop")[0].GetString());
        Assert.Equal("user-17", sent.GetProperty("user").GetString());
        Assert.Equal("auto", sent.GetProperty("service_tier").GetString());
        var tools = sent.GetProperty("tools");
        Assert.True(tools[0].GetProperty("function").GetProperty("strict").GetBoolean());
        Assert.False(tools[1].GetProperty("function").TryGetProperty("strict", out var loose) && loose.ValueKind == JsonValueKind.True);
    }

    [Fact]
    public async Task A_providers_own_400_comes_back_as_a_400_naming_the_provider()
    {
        // Groq rejects top_k; the gateway passes extra fields on and keeps the provider's verdict.
        using var response = await PostAsync("""{"model":"groq/llama-3.3-70b-versatile","top_k":7,"messages":[{"role":"user","content":"x"}]}""");
        Assert.Equal(400, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("top_k", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("groq", error.GetProperty("provider").GetString());
    }

    [Fact]
    public async Task Sdk_streams_tool_calls_from_the_emulator()
    {
        var weather = ChatTool.CreateFunctionTool("get_weather", "Weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var time = ChatTool.CreateFunctionTool("get_time", "Time", BinaryData.FromString("""{"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}"""));
        var calls = new Dictionary<int, (string? Id, string Name, StringBuilder Args)>();
        ChatFinishReason? finish = null;
        var options = new ChatCompletionOptions { Tools = { weather, time } };
        await foreach (var update in Sdk("groq/llama-3.3-70b-versatile").CompleteChatStreamingAsync([new UserChatMessage("""get_weather({"city":"Oslo"}) and get_time({"zone":"CET"})""")], options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                if (!calls.TryGetValue(part.Index, out var call))
                {
                    call = (null, string.Empty, new StringBuilder());
                }

                call = (call.Id ?? part.ToolCallId, call.Name + part.FunctionName, call.Args.Append(part.FunctionArgumentsUpdate?.ToString()));
                calls[part.Index] = call;
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal(2, calls.Count);
        Assert.Equal(["get_time", "get_weather"], calls.Values.Select(c => c.Name).Order().ToArray());
        Assert.All(calls.Values, c => Assert.False(string.IsNullOrEmpty(c.Id)));
        var weatherArgs = JsonDocument.Parse(calls.Values.Single(c => c.Name == "get_weather").Args.ToString()).RootElement;
        Assert.Equal("Oslo", weatherArgs.GetProperty("city").GetString());
    }
}
