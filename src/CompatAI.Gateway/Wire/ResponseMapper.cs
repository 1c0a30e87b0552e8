using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Wire;

/// <summary>Maps Microsoft.Extensions.AI responses and updates to OpenAI's wire shapes.</summary>
internal static class ResponseMapper
{
    private static readonly JsonSerializerOptions s_argumentOptions = CreateArgumentOptions();

    public static ChatCompletionDto ToCompletion(ChatResponse response, string modelName)
    {
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        List<ToolCallDto>? toolCalls = null;
        var hasText = false;
        foreach (var message in response.Messages)
        {
            if (message.Role != ChatRole.Assistant)
            {
                continue;
            }

            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent t:
                        text.Append(t.Text);
                        hasText = true;
                        break;
                    case TextReasoningContent r:
                        reasoning.Append(r.Text);
                        break;
                    case FunctionCallContent call:
                        (toolCalls ??= []).Add(ToToolCall(call, null));
                        break;
                }
            }
        }

        var finish = FinishReason(response.FinishReason, toolCalls is not null);
        return new ChatCompletionDto
        {
            Id = response.ResponseId ?? NewId(),
            Created = (response.CreatedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            Model = modelName,
            Choices =
            [
                new ChoiceDto
                {
                    Index = 0,
                    FinishReason = finish,
                    Message = new MessageDto
                    {
                        Content = hasText || toolCalls is null ? text.ToString() : null,
                        ReasoningContent = reasoning.Length > 0 ? reasoning.ToString() : null,
                        ToolCalls = toolCalls?.ToArray(),
                    },
                },
            ],
            Usage = ToUsage(response.Usage) ?? new UsageDto(),
        };
    }

    public static ToolCallDto ToToolCall(FunctionCallContent call, int? index) => new()
    {
        Index = index,
        Id = string.IsNullOrEmpty(call.CallId) ? "call_" + Guid.NewGuid().ToString("N")[..24] : call.CallId,
        Function = new FunctionDto { Name = call.Name, Arguments = SerializeArguments(call.Arguments) },
    };

    public static UsageDto? ToUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var input = usage.InputTokenCount ?? 0;
        var output = usage.OutputTokenCount ?? 0;
        return new UsageDto
        {
            PromptTokens = input,
            CompletionTokens = output,
            TotalTokens = usage.TotalTokenCount ?? input + output,
            PromptTokensDetails = usage.CachedInputTokenCount is { } cached ? new PromptTokensDetailsDto { CachedTokens = cached } : null,
            CompletionTokensDetails = usage.ReasoningTokenCount is { } reasoning ? new CompletionTokensDetailsDto { ReasoningTokens = reasoning } : null,
        };
    }

    public static string FinishReason(ChatFinishReason? reason, bool hasToolCalls)
    {
        if (reason is not { } r)
        {
            return hasToolCalls ? "tool_calls" : "stop";
        }

        return r == ChatFinishReason.Stop ? "stop"
            : r == ChatFinishReason.Length ? "length"
            : r == ChatFinishReason.ToolCalls ? "tool_calls"
            : r == ChatFinishReason.ContentFilter ? "content_filter"
            : r.Value;
    }

    public static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N");

    private static string SerializeArguments(IDictionary<string, object?>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return "{}";
        }

        return JsonSerializer.Serialize(arguments, s_argumentOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
    }

    private static JsonSerializerOptions CreateArgumentOptions()
    {
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
        options.MakeReadOnly();
        return options;
    }
}
