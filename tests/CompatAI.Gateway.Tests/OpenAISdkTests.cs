using System.ClientModel;
using System.ClientModel.Primitives;
using CompatAI.Gateway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace CompatAI.Gateway.Tests;

/// <summary>The official OpenAI .NET SDK talks to the real gateway on loopback: models, JSON, streaming, tool calls, errors.</summary>
public sealed class OpenAISdkTests : IAsyncLifetime
{
    private GatewayServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await GatewayServer.StartAsync(configure: g => g
            .AddChatClient("tools", TestProviders.Tools(), "any")
            .AddAdapter("faults", TestProviders.Faults()));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OpenAIClientOptions Options => new() { Endpoint = _server.V1, RetryPolicy = new ClientRetryPolicy(0) };

    private ChatClient Chat(string model) => new(model, new ApiKeyCredential("sk-client-key"), Options);

    [Fact]
    public async Task Lists_models_with_provider_prefixes()
    {
        var models = await new OpenAIModelClient(new ApiKeyCredential("sk-client-key"), Options).GetModelsAsync();
        var ids = models.Value.Select(m => m.Id).ToList();
        Assert.Contains("echo/echo-1", ids);
        Assert.Contains("echo/story-1", ids);
        Assert.Contains("tools/any", ids);
        Assert.Contains("faults/rate-limited", ids);
    }

    [Fact]
    public async Task Completes_as_json()
    {
        var result = await Chat("echo/echo-1").CompleteChatAsync([new SystemChatMessage("be kind"), new UserChatMessage("Hello, gateway")]);
        var completion = result.Value;
        Assert.Equal("Hello, gateway", Assert.Single(completion.Content).Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal("echo/echo-1", completion.Model);
        Assert.True(completion.Usage.OutputTokenCount > 0);
        Assert.Equal("echo", result.GetRawResponse().Headers.TryGetValue("x-compat-provider", out var provider) ? provider : null);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-compat-overhead-ms", out var overhead) && double.TryParse(overhead, System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task Streams_with_usage()
    {
        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var updates = 0;
        await foreach (var update in Chat("echo/story-1").CompleteChatStreamingAsync([new UserChatMessage("story please")]))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.StartsWith("Once upon a time", text.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("The end.", text.ToString(), StringComparison.Ordinal);
        Assert.True(updates > 10);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.True(usage.OutputTokenCount > 10);
    }

    [Fact]
    public async Task Calls_tools_and_takes_their_results_back()
    {
        var tool = ChatTool.CreateFunctionTool("get_weather", "Weather for a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { Tools = { tool } };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Oslo?")];
        var chat = Chat("tools/any");

        var first = (await chat.CompleteChatAsync(messages, options)).Value;
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("call_weather_1", call.Id);
        Assert.Equal("Oslo", System.Text.Json.JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("city").GetString());

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "sunny, 21 C"));
        var second = (await chat.CompleteChatAsync(messages, options)).Value;
        Assert.Equal("The tool said: sunny, 21 C (call_weather_1)", Assert.Single(second.Content).Text);
    }

    [Fact]
    public async Task Streams_tool_calls()
    {
        var tool = ChatTool.CreateFunctionTool("get_weather", "Weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));
        var name = string.Empty;
        var args = new System.Text.StringBuilder();
        string? id = null;
        ChatFinishReason? finish = null;
        await foreach (var update in Chat("tools/any").CompleteChatStreamingAsync([new UserChatMessage("Weather in Oslo?")], new ChatCompletionOptions { Tools = { tool } }))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                Assert.Equal(0, part.Index);
                id ??= part.ToolCallId;
                name += part.FunctionName;
                args.Append(part.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("call_weather_1", id);
        Assert.Equal("get_weather", name);
        Assert.Equal("{\"city\":\"Oslo\"}", args.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Provider_errors_keep_their_status()
    {
        var rateLimited = await Assert.ThrowsAsync<ClientResultException>(() => Chat("faults/rate-limited").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(429, rateLimited.Status);
        Assert.Equal("2", rateLimited.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter) ? retryAfter : null);

        var unavailable = await Assert.ThrowsAsync<ClientResultException>(() => Chat("faults/unavailable").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(503, unavailable.Status);

        var badRequest = await Assert.ThrowsAsync<ClientResultException>(() => Chat("echo/echo-1").CompleteChatAsync([new UserChatMessage("x")], new ChatCompletionOptions { Temperature = 9 }));
        Assert.Equal(400, badRequest.Status);
        Assert.Contains("temperature", badRequest.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => Chat("nowhere/model").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(404, unknown.Status);
    }

    [Fact]
    public async Task A_stream_that_breaks_after_output_never_looks_finished_to_the_sdk()
    {
        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in Chat("faults/breaks-mid-stream").CompleteChatStreamingAsync([new UserChatMessage("x")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        // The .NET SDK skips SSE error events (the npm client throws on them, see NodeClientTests); what it still shows
        // is a stream with output but no finish reason, which a caller must treat as truncated.
        Assert.Equal("partial answer", text.ToString());
        Assert.Null(finish);
    }
}
