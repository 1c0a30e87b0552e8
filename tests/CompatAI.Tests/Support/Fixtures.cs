using System.ClientModel.Primitives;
using System.Text;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI.Tests.Support;

/// <summary>
/// Reads recorded provider traffic with the real OpenAI SDK and maps it the way the CompatAI adapter does (text, tool
/// calls, usage, <c>reasoning_content</c> as <see cref="TextReasoningContent"/>), keeping the SDK object as
/// <c>RawRepresentation</c>, so that middleware sees what it sees in production.
/// </summary>
internal static class Fixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static ChatCompletion ReadCompletion(string name) =>
        ModelReaderWriter.Read<ChatCompletion>(BinaryData.FromString(File.ReadAllText(PathOf(name))), ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default)!;

    public static ChatCompletion ParseCompletion(string json) =>
        ModelReaderWriter.Read<ChatCompletion>(BinaryData.FromString(json), ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default)!;

    public static ChatResponse ToResponse(ChatCompletion completion)
    {
        var contents = new List<AIContent>();
        if (completion.Patch.TryGetValue("$.choices[0].message.reasoning_content"u8, out string? reasoning) && !string.IsNullOrEmpty(reasoning))
        {
            contents.Add(new TextReasoningContent(reasoning));
        }

        foreach (var part in completion.Content)
        {
            if (part.Kind == ChatMessageContentPartKind.Text)
            {
                contents.Add(new TextContent(part.Text));
            }
        }

        foreach (var call in completion.ToolCalls)
        {
            contents.Add(new FunctionCallContent(call.Id, call.FunctionName, System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, object?>>(call.FunctionArguments.ToString())));
        }

        var message = new AIChatMessage(ChatRole.Assistant, contents) { RawRepresentation = completion };
        return new ChatResponse(message)
        {
            RawRepresentation = completion,
            ModelId = completion.Model,
            ResponseId = completion.Id,
            Usage = completion.Usage is { } u ? new UsageDetails { InputTokenCount = u.InputTokenCount, OutputTokenCount = u.OutputTokenCount, TotalTokenCount = u.TotalTokenCount } : null,
        };
    }

    public static IReadOnlyList<StreamingChatCompletionUpdate> ReadStream(string name)
    {
        var updates = new List<StreamingChatCompletionUpdate>();
        foreach (var line in File.ReadLines(PathOf(name)))
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            string data = line["data:".Length..].Trim();
            if (data == "[DONE]" || data.Length == 0)
            {
                continue;
            }

            updates.Add(ModelReaderWriter.Read<StreamingChatCompletionUpdate>(BinaryData.FromString(data), ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default)!);
        }

        return updates;
    }

    public static ChatResponseUpdate ToUpdate(StreamingChatCompletionUpdate raw)
    {
        var contents = new List<AIContent>();
        if (raw.Patch.TryGetValue("$.choices[0].delta.reasoning_content"u8, out string? reasoning) && !string.IsNullOrEmpty(reasoning))
        {
            contents.Add(new TextReasoningContent(reasoning));
        }

        foreach (var part in raw.ContentUpdate)
        {
            if (part.Kind == ChatMessageContentPartKind.Text && !string.IsNullOrEmpty(part.Text))
            {
                contents.Add(new TextContent(part.Text));
            }
        }

        if (raw.Usage is { } u)
        {
            contents.Add(new UsageContent(new UsageDetails { InputTokenCount = u.InputTokenCount, OutputTokenCount = u.OutputTokenCount, TotalTokenCount = u.TotalTokenCount }));
        }

        return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            RawRepresentation = raw,
            ResponseId = raw.CompletionId,
            ModelId = raw.Model,
            FinishReason = raw.FinishReason switch
            {
                null => null,
                OpenAI.Chat.ChatFinishReason.ToolCalls => Microsoft.Extensions.AI.ChatFinishReason.ToolCalls,
                OpenAI.Chat.ChatFinishReason.Length => Microsoft.Extensions.AI.ChatFinishReason.Length,
                _ => Microsoft.Extensions.AI.ChatFinishReason.Stop,
            },
        };
    }

    public static string Reasoning(IEnumerable<AIContent> contents) =>
        string.Concat(contents.OfType<TextReasoningContent>().Select(static r => r.Text));

    public static string Text(IEnumerable<AIContent> contents)
    {
        var builder = new StringBuilder();
        foreach (var content in contents)
        {
            if (content is TextContent t)
            {
                builder.Append(t.Text);
            }
        }

        return builder.ToString();
    }
}
