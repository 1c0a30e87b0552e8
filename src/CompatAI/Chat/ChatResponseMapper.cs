using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;

namespace CompatAI;

/// <summary>Maps the OpenAI SDK's responses to Microsoft.Extensions.AI types, keeping the SDK object as <c>RawRepresentation</c>.</summary>
internal static class ChatResponseMapper
{
    /// <param name="completion">The SDK's completion.</param>
    /// <param name="mayCarryReasoning">Whether the body may hold <c>reasoning_content</c>; when <see langword="false"/> the costly JSON-path lookup is skipped.</param>
    public static ChatResponse ToChatResponse(ChatCompletion completion, bool mayCarryReasoning = true)
    {
        var message = new AIChatMessage(ChatRole.Assistant, [])
        {
            MessageId = completion.Id,
            CreatedAt = completion.CreatedAt,
            RawRepresentation = completion,
        };

        if (mayCarryReasoning && completion.Patch.TryGetValue("$.choices[0].message.reasoning_content"u8, out string? reasoning) && !string.IsNullOrEmpty(reasoning))
        {
            message.Contents.Add(new TextReasoningContent(reasoning) { RawRepresentation = completion });
        }

        foreach (var part in completion.Content)
        {
            if (part.Kind == ChatMessageContentPartKind.Text)
            {
                var text = new TextContent(part.Text) { RawRepresentation = part };
                message.Contents.Add(text);
            }
            else if (part.Kind == ChatMessageContentPartKind.Refusal)
            {
                message.Contents.Add(new ErrorContent(part.Refusal) { ErrorCode = "Refusal", RawRepresentation = part });
            }
        }

        if (completion.Annotations is { Count: > 0 } annotations && message.Contents.OfType<TextContent>().FirstOrDefault() is { } firstText)
        {
            foreach (var annotation in annotations)
            {
                (firstText.Annotations ??= []).Add(new CitationAnnotation
                {
                    Title = annotation.WebResourceTitle,
                    Url = annotation.WebResourceUri,
                    AnnotatedRegions = [new TextSpanAnnotatedRegion { StartIndex = annotation.StartIndex, EndIndex = annotation.EndIndex }],
                    RawRepresentation = annotation,
                });
            }
        }

        if (!string.IsNullOrEmpty(completion.Refusal))
        {
            message.Contents.Add(new ErrorContent(completion.Refusal) { ErrorCode = "Refusal" });
        }

        var position = 0;
        foreach (var call in completion.ToolCalls)
        {
            message.Contents.Add(ToFunctionCall(call.Id, call.FunctionName, call.FunctionArguments?.ToMemory() ?? default, completion.Id, position++, call));
        }

        return new ChatResponse(message)
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = ToFinishReason(completion.FinishReason),
            Usage = completion.Usage is { } usage ? ToUsage(usage) : null,
            RawRepresentation = completion,
        };
    }

    public static AIChatFinishReason ToFinishReason(SdkFinishReason reason) => reason switch
    {
        SdkFinishReason.Stop => AIChatFinishReason.Stop,
        SdkFinishReason.Length => AIChatFinishReason.Length,
        SdkFinishReason.ContentFilter => AIChatFinishReason.ContentFilter,
        SdkFinishReason.ToolCalls or SdkFinishReason.FunctionCall => AIChatFinishReason.ToolCalls,
        _ => new AIChatFinishReason(reason.ToString()),
    };

    public static UsageDetails ToUsage(ChatTokenUsage usage)
    {
        var details = new UsageDetails
        {
            InputTokenCount = usage.InputTokenCount,
            OutputTokenCount = usage.OutputTokenCount,
            TotalTokenCount = usage.TotalTokenCount,
        };

        if (usage.InputTokenDetails is { } input)
        {
            details.CachedInputTokenCount = input.CachedTokenCount;
            if (input.AudioTokenCount > 0)
            {
                details.InputAudioTokenCount = input.AudioTokenCount;
            }
        }

        if (usage.OutputTokenDetails is { } output)
        {
            details.ReasoningTokenCount = output.ReasoningTokenCount;
            if (output.AudioTokenCount > 0)
            {
                details.OutputAudioTokenCount = output.AudioTokenCount;
            }

            if (output.AcceptedPredictionTokenCount > 0)
            {
                (details.AdditionalCounts ??= [])["OutputTokenDetails.AcceptedPredictionTokenCount"] = output.AcceptedPredictionTokenCount;
            }

            if (output.RejectedPredictionTokenCount > 0)
            {
                (details.AdditionalCounts ??= [])["OutputTokenDetails.RejectedPredictionTokenCount"] = output.RejectedPredictionTokenCount;
            }
        }

        return details;
    }

    /// <summary>
    /// Builds a complete function call: a missing id is synthesized (Gemini sends <c>""</c>), and empty arguments
    /// (<c>""</c>, sent for parameterless tools) mean an empty object rather than a parse failure.
    /// </summary>
    public static FunctionCallContent ToFunctionCall(string? id, string? name, ReadOnlyMemory<byte> arguments, string? responseId, int position, object? raw)
    {
        var callId = string.IsNullOrEmpty(id) ? SynthesizeCallId(responseId, position) : id;
        var trimmed = arguments.Span.Trim(" \t\r\n"u8);
        var content = FunctionCallContent.CreateFromParsedArguments(
            trimmed.IsEmpty ? "{}"u8.ToArray() : trimmed.ToArray(),
            callId,
            name ?? string.Empty,
            static bytes => JsonSerializer.Deserialize(bytes, CompatJsonContext.Default.IDictionaryStringObject));
        content.RawRepresentation = raw;
        return content;
    }

    private static string SynthesizeCallId(string? responseId, int position) =>
        $"call_{Guid.NewGuid():N}"[..29] + position.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
