using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI;

/// <summary>
/// Sends reasoning back on assistant messages that made tool calls (DeepSeek thinking mode, Kimi), or strips it where the
/// provider rejects it (DeepSeek R1). Works on copies: the caller's messages are never changed.
/// </summary>
internal static class ReasoningReplayWriter
{
    public static IEnumerable<AIChatMessage> Replay(IEnumerable<AIChatMessage> messages, string field, string? placeholder)
    {
        List<AIChatMessage>? copy = null;
        int index = 0;
        foreach (var message in messages)
        {
            var replaced = message;
            if (message.Role == ChatRole.Assistant && message.Contents.Any(static c => c is FunctionCallContent)
                && (Reasoning(message) ?? placeholder) is { } reasoning)
            {
                var raw = AssistantMessages.ToRaw(message);
                if (field == "reasoning_details")
                {
                    // OpenRouter/MiniMax style: an array of reasoning items rather than a string.
                    var items = new[] { new Dictionary<string, string>(StringComparer.Ordinal) { ["type"] = "reasoning.text", ["text"] = reasoning } };
                    raw.Patch.Set(RawJson.Path("$." + field), BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(items, AssistantMessages.CompactJson.GetTypeInfo(typeof(Dictionary<string, string>[])))));
                }
                else if (reasoning.Length == 0)
                {
                    raw.Patch.Set(RawJson.Path("$." + field), BinaryData.FromString("\"\""));
                }
                else
                {
                    raw.Patch.Set(RawJson.Path("$." + field), reasoning);
                }
                replaced = AssistantMessages.WithRaw(message, raw);
            }

            copy = Track(copy, messages, index, message, replaced);
            index++;
        }

        return copy ?? messages;
    }

    public static IEnumerable<AIChatMessage> Strip(IEnumerable<AIChatMessage> messages, string field)
    {
        List<AIChatMessage>? copy = null;
        int index = 0;
        byte[] path = RawJson.Path("$." + field);
        foreach (var message in messages)
        {
            var replaced = message;
            if (message.Role == ChatRole.Assistant)
            {
                bool hasReasoning = message.Contents.Any(static c => c is TextReasoningContent);
                var existingRaw = message.RawRepresentation as AssistantChatMessage;
                bool rawHasReasoning = existingRaw is not null && existingRaw.Patch.Contains(path);
                if (hasReasoning || rawHasReasoning)
                {
                    replaced = message.Clone();
                    replaced.Contents = [.. message.Contents.Where(static c => c is not TextReasoningContent)];
                    if (rawHasReasoning)
                    {
                        var raw = AssistantMessages.Copy(existingRaw!);
                        raw.Patch.Remove(path);
                        replaced.RawRepresentation = raw;
                    }
                }
            }

            copy = Track(copy, messages, index, message, replaced);
            index++;
        }

        return copy ?? messages;
    }

    private static List<AIChatMessage>? Track(List<AIChatMessage>? copy, IEnumerable<AIChatMessage> all, int index, AIChatMessage original, AIChatMessage replaced)
    {
        if (copy is null && !ReferenceEquals(original, replaced))
        {
            copy = [.. all.Take(index)];
        }

        copy?.Add(replaced);
        return copy;
    }

    private static string? Reasoning(AIChatMessage message)
    {
        StringBuilder? text = null;
        foreach (var content in message.Contents)
        {
            if (content is TextReasoningContent { Text.Length: > 0 } r)
            {
                (text ??= new StringBuilder()).Append(r.Text);
            }
        }

        return text?.ToString();
    }
}

/// <summary>Builds and copies the OpenAI SDK's <see cref="AssistantChatMessage"/> used to send an assistant message exactly as shaped.</summary>
internal static class AssistantMessages
{
    /// <summary>Microsoft.Extensions.AI's JSON options (which indent), without indentation, for wire JSON.</summary>
    internal static readonly JsonSerializerOptions CompactJson = CreateCompactJson();

    /// <summary>Returns a private copy of the message's raw representation, or a new one built from its contents.</summary>
    public static AssistantChatMessage ToRaw(AIChatMessage message)
    {
        if (message.RawRepresentation is AssistantChatMessage existing)
        {
            return Copy(existing);
        }

        var toolCalls = new List<ChatToolCall>();
        var text = new StringBuilder();
        foreach (var content in message.Contents)
        {
            if (content is FunctionCallContent call)
            {
                string arguments = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(StringComparer.Ordinal), CompactJson.GetTypeInfo(typeof(IDictionary<string, object?>)));
                toolCalls.Add(ChatToolCall.CreateFunctionToolCall(call.CallId, call.Name, BinaryData.FromString(arguments)));
            }
            else if (content is TextContent t)
            {
                text.Append(t.Text);
            }
        }

        AssistantChatMessage raw = toolCalls.Count > 0 ? new AssistantChatMessage(toolCalls) : new AssistantChatMessage(text.ToString());
        if (toolCalls.Count > 0 && text.Length > 0)
        {
            raw.Content.Add(ChatMessageContentPart.CreateTextPart(text.ToString()));
        }

        if (message.AuthorName is { Length: > 0 } name)
        {
            raw.ParticipantName = name;
        }

        return raw;
    }

    /// <summary>Copies a raw message (through its JSON form) so that patching it never touches the caller's object.</summary>
    public static T Copy<T>(T message)
        where T : OpenAI.Chat.ChatMessage =>
        ModelReaderWriter.Read<T>(ModelReaderWriter.Write(message, ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default), ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default)!;

    private static JsonSerializerOptions CreateCompactJson()
    {
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Returns a shallow copy of <paramref name="message"/> that is sent as <paramref name="raw"/>.</summary>
    public static AIChatMessage WithRaw(AIChatMessage message, AssistantChatMessage raw)
    {
        var copy = message.Clone();
        copy.RawRepresentation = raw;
        return copy;
    }
}
