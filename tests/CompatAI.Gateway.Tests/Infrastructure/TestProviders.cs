using System.Runtime.CompilerServices;
using CompatAI.Gateway.Adapters;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>In-process providers used behind the real gateway: a tool-calling model and a fault injector.</summary>
internal static class TestProviders
{
    /// <summary>Calls get_weather when tools are offered and the last message is from the user; otherwise answers with the tool result.</summary>
    public static ScriptedChatClient Tools() => new()
    {
        OnResponse = (messages, options, _) => Task.FromResult(ToolAnswer(messages, options)),
        OnStream = (messages, options, ct) => ToolStream(messages, options, ct),
    };

    /// <summary>Fails in the way its model name says: rate-limited, unavailable, breaks-mid-stream, reasoning, hang.</summary>
    public static FaultAdapter Faults() => new();

    private static ChatResponse ToolAnswer(IList<ChatMessage> messages, ChatOptions? options)
    {
        var last = messages[^1];
        if (last.Role == ChatRole.User && options?.Tools is { Count: > 0 })
        {
            var call = new FunctionCallContent("call_weather_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" });
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])) { FinishReason = ChatFinishReason.ToolCalls, ModelId = options.ModelId };
        }

        var result = last.Contents.OfType<FunctionResultContent>().FirstOrDefault();
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, $"The tool said: {result?.Result} ({result?.CallId})")) { FinishReason = ChatFinishReason.Stop, ModelId = options?.ModelId };
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> ToolStream(IList<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        var response = ToolAnswer(messages, options);
        foreach (var update in response.ToChatResponseUpdates())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }
    }

    internal sealed class FaultAdapter : IGatewayAdapter
    {
        private readonly TaskCompletionSource _hangCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _hangStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when a 'hang' request has started upstream.</summary>
        public Task HangStarted => _hangStarted.Task;

        /// <summary>Completes when the upstream side of a 'hang' request saw its cancellation.</summary>
        public Task HangCancelled => _hangCancelled.Task;

        public Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(["rate-limited", "unavailable", "breaks-mid-stream", "reasoning", "hang"]);

        public async Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken)
        {
            switch (request.Options.ModelId)
            {
                case "reasoning":
                    return new ChatResponse(new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("Let me think."), new TextContent("42")]))
                    {
                        FinishReason = ChatFinishReason.Stop,
                        Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 5, TotalTokenCount = 8, ReasoningTokenCount = 2, CachedInputTokenCount = 1 },
                    };
                case "hang":
                    await HangAsync(cancellationToken);
                    throw new InvalidOperationException("unreachable");
                default:
                    throw Fault(request.Options.ModelId);
            }
        }

        public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            switch (request.Options.ModelId)
            {
                case "breaks-mid-stream":
                    yield return new ChatResponseUpdate(ChatRole.Assistant, "partial ");
                    yield return new ChatResponseUpdate(ChatRole.Assistant, "answer");
                    throw new ProviderException("faultco", ProviderErrorKind.StreamInterrupted, "The provider's stream broke off after output had started.", 200, "stream_interrupted");
                case "reasoning":
                    yield return new ChatResponseUpdate { Role = ChatRole.Assistant, Contents = [new TextReasoningContent("Let me ")] };
                    yield return new ChatResponseUpdate { Contents = [new TextReasoningContent("think.")] };
                    yield return new ChatResponseUpdate(ChatRole.Assistant, "42");
                    yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop };
                    yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 3, OutputTokenCount = 5, ReasoningTokenCount = 2 })] };
                    break;
                case "hang":
                    yield return new ChatResponseUpdate(ChatRole.Assistant, "first ");
                    await HangAsync(cancellationToken);
                    break;
                default:
                    throw Fault(request.Options.ModelId);
            }
        }

        private async Task HangAsync(CancellationToken cancellationToken)
        {
            _hangStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _hangCancelled.TrySetResult();
                throw;
            }
        }

        private static ProviderException Fault(string? model) => model switch
        {
            "rate-limited" => new ProviderException("faultco", ProviderErrorKind.RateLimited, "Rate limit reached for requests; try again in 2s.", 429, "rate_limit_exceeded", TimeSpan.FromSeconds(2)),
            "unavailable" => new ProviderException("faultco", ProviderErrorKind.Unavailable, "The model is overloaded.", 503, "overloaded"),
            "no-status" => new ProviderException("faultco", ProviderErrorKind.Timeout, "The provider did not answer in time."),
            _ => new ProviderException("faultco", ProviderErrorKind.NotFound, $"No model '{model}'.", 404, "model_not_found"),
        };
    }
}
