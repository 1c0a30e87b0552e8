using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using SdkChatMessage = OpenAI.Chat.ChatMessage;

namespace CompatAI;

/// <summary>Maps Microsoft.Extensions.AI messages and options to the OpenAI SDK's request types.</summary>
internal static class ChatRequestMapper
{
    private static readonly ChatRole s_developer = new("developer");

    /// <summary>Maps the conversation; <see cref="ChatOptions.Instructions"/> become a leading system message.</summary>
    public static List<SdkChatMessage> ToSdkMessages(IEnumerable<AIChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<SdkChatMessage>();
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            result.Add(new SystemChatMessage(options.Instructions));
        }

        var index = 0;
        foreach (var message in messages)
        {
            if (message is null)
            {
                throw new ArgumentException($"messages[{index}] is null.", nameof(messages));
            }

            AddMessage(result, message, index);
            index++;
        }

        if (result.Count == 0)
        {
            throw new ArgumentException("The conversation is empty: send at least one message.", nameof(messages));
        }

        return result;
    }

    private static void AddMessage(List<SdkChatMessage> result, AIChatMessage message, int index)
    {
        if (message.RawRepresentation is SdkChatMessage raw)
        {
            result.Add(raw);
            return;
        }

        var role = message.Role;
        if (role == ChatRole.Tool)
        {
            var any = false;
            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent functionResult)
                {
                    result.Add(new ToolChatMessage(functionResult.CallId, SerializeResult(functionResult)));
                    any = true;
                }
            }

            if (!any && message.Text is { Length: > 0 } text)
            {
                throw new ArgumentException($"messages[{index}] has the tool role but no FunctionResultContent: a tool message must answer a tool call by its id.", "messages");
            }

            return;
        }

        if (role == ChatRole.Assistant)
        {
            result.Add(ToAssistantMessage(message, index));
            return;
        }

        var parts = ToParts(message, index);
        var name = SanitizeName(message.AuthorName);
        if (role == ChatRole.System)
        {
            result.Add(new SystemChatMessage(parts) { ParticipantName = name });
        }
        else if (role == s_developer)
        {
            result.Add(new DeveloperChatMessage(parts) { ParticipantName = name });
        }
        else if (role == ChatRole.User)
        {
            result.Add(new UserChatMessage(parts) { ParticipantName = name });
        }
        else
        {
            throw new ArgumentException($"messages[{index}] has the role '{role.Value}', which Chat Completions does not have; use system, developer, user, assistant or tool.", "messages");
        }
    }

    private static AssistantChatMessage ToAssistantMessage(AIChatMessage message, int index)
    {
        List<ChatToolCall>? toolCalls = null;
        List<ChatMessageContentPart>? parts = null;
        string? refusal = null;
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case FunctionCallContent call:
                    var arguments = call.Arguments is null
                        ? BinaryData.FromString("{}")
                        : BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))));
                    (toolCalls ??= []).Add(ChatToolCall.CreateFunctionToolCall(call.CallId, call.Name, arguments));
                    break;
                case ErrorContent { ErrorCode: "Refusal" } error:
                    refusal = error.Message;
                    break;
                case TextContent text when text.Text.Length > 0:
                    (parts ??= []).Add(ChatMessageContentPart.CreateTextPart(text.Text));
                    break;
                case TextReasoningContent or UsageContent or ErrorContent or TextContent:
                    // Reasoning is replayed (where a provider wants it) by the reasoning middleware; metadata is never sent.
                    break;
                default:
                    if (ToPart(content, index) is { } part)
                    {
                        (parts ??= []).Add(part);
                    }

                    break;
            }
        }

        var assistant = toolCalls is not null ? new AssistantChatMessage(toolCalls) : new AssistantChatMessage(parts ?? [ChatMessageContentPart.CreateTextPart(string.Empty)]);
        if (toolCalls is not null && parts is not null)
        {
            foreach (var part in parts)
            {
                assistant.Content.Add(part);
            }
        }

        assistant.ParticipantName = SanitizeName(message.AuthorName);
        assistant.Refusal = refusal;
        return assistant;
    }

    private static List<ChatMessageContentPart> ToParts(AIChatMessage message, int index)
    {
        var parts = new List<ChatMessageContentPart>(message.Contents.Count);
        foreach (var content in message.Contents)
        {
            if (ToPart(content, index) is { } part)
            {
                parts.Add(part);
            }
        }

        if (parts.Count == 0)
        {
            parts.Add(ChatMessageContentPart.CreateTextPart(string.Empty));
        }

        return parts;
    }

    private static ChatMessageContentPart? ToPart(AIContent content, int index)
    {
        switch (content)
        {
            case { RawRepresentation: ChatMessageContentPart raw }:
                return raw;
            case TextContent text:
                return ChatMessageContentPart.CreateTextPart(text.Text);
            case UriContent uri when uri.HasTopLevelMediaType("image"):
                return ChatMessageContentPart.CreateImagePart(uri.Uri, ImageDetail(content));
            case DataContent data when data.HasTopLevelMediaType("image"):
                return ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(data.Data), data.MediaType, ImageDetail(content));
            case DataContent data when data.MediaType is "audio/wav" or "audio/x-wav" or "audio/mpeg" or "audio/mp3":
                return ChatMessageContentPart.CreateInputAudioPart(BinaryData.FromBytes(data.Data), data.MediaType.Contains("wav", StringComparison.Ordinal) ? ChatInputAudioFormat.Wav : ChatInputAudioFormat.Mp3);
            case DataContent data when data.MediaType == "application/pdf":
                return ChatMessageContentPart.CreateFilePart(BinaryData.FromBytes(data.Data), data.MediaType, data.Name ?? "document.pdf");
            case DataContent data:
                throw new ArgumentException($"messages[{index}] has a DataContent of media type '{data.MediaType}', which Chat Completions cannot carry; images, wav/mp3 audio and PDF are supported.", "messages");
            case UriContent uri:
                throw new ArgumentException($"messages[{index}] has a UriContent of media type '{uri.MediaType}'; Chat Completions accepts only image URLs.", "messages");
            default:
                return null; // reasoning, usage and other metadata are not request content
        }
    }

    private static ChatImageDetailLevel? ImageDetail(AIContent content)
    {
        if (content.AdditionalProperties?.TryGetValue("detail", out var detail) is true && detail?.ToString() is { Length: > 0 } d)
        {
            return new ChatImageDetailLevel(d);
        }

        return null;
    }

    private static string SerializeResult(FunctionResultContent result) => result.Result switch
    {
        null when result.Exception is { } ex => $"Error: {ex.Message}",
        null => string.Empty,
        string s => s,
        JsonElement element => element.GetRawText(),
        var other => JsonSerializer.Serialize(other, AIJsonUtilities.DefaultOptions.GetTypeInfo(other.GetType())),
    };

    /// <summary>OpenAI accepts <c>name</c> only as <c>[A-Za-z0-9_-]{1,64}</c>.</summary>
    private static string? SanitizeName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(name.Length, 64));
        foreach (var c in name)
        {
            if (builder.Length == 64)
            {
                break;
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>Maps options; a <see cref="ChatOptions.RawRepresentationFactory"/> result is the base and only unset values are filled.</summary>
    public static ChatCompletionOptions ToSdkOptions(ChatOptions? options, IChatClient client)
    {
        var result = options?.RawRepresentationFactory?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
        if (options is null)
        {
            return result;
        }

        result.Temperature ??= options.Temperature;
        result.TopP ??= options.TopP;
        result.MaxOutputTokenCount ??= options.MaxOutputTokens;
        result.FrequencyPenalty ??= options.FrequencyPenalty;
        result.PresencePenalty ??= options.PresencePenalty;
        result.Seed ??= options.Seed;
        if (options.StopSequences is { Count: > 0 } stops && result.StopSequences.Count == 0)
        {
            foreach (var stop in stops)
            {
                result.StopSequences.Add(stop);
            }
        }

        if (options.Reasoning?.Effort is { } effort && result.ReasoningEffortLevel is null)
        {
            result.ReasoningEffortLevel = effort switch
            {
                ReasoningEffort.None => ChatReasoningEffortLevel.None,
                ReasoningEffort.Low => ChatReasoningEffortLevel.Low,
                ReasoningEffort.Medium => ChatReasoningEffortLevel.Medium,
                ReasoningEffort.High => ChatReasoningEffortLevel.High,
                ReasoningEffort.ExtraHigh => ChatReasoningEffortLevel.ExtraHigh,
                _ => throw new ArgumentException($"ChatOptions.Reasoning.Effort '{effort}' is not known to the Chat Completions API.", nameof(options)),
            };
        }

        result.ResponseFormat ??= options.ResponseFormat switch
        {
            null => null,
            ChatResponseFormatText => OpenAI.Chat.ChatResponseFormat.CreateTextFormat(),
            ChatResponseFormatJson { Schema: { } schema } json => OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                json.SchemaName ?? "json_schema",
                BinaryData.FromString(schema.GetRawText()),
                json.SchemaDescription,
                StrictFlag(options)),
            ChatResponseFormatJson => OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat(),
            var other => throw new ArgumentException($"ChatOptions.ResponseFormat of type {other.GetType().Name} is not supported.", nameof(options)),
        };

        if (options.Tools is { Count: > 0 } tools)
        {
            if (result.Tools.Count == 0)
            {
                foreach (var tool in tools)
                {
                    if (tool is AIFunctionDeclaration function)
                    {
                        result.Tools.Add(ChatTool.CreateFunctionTool(
                            function.Name,
                            function.Description,
                            BinaryData.FromString(function.JsonSchema.GetRawText()),
                            StrictFlag(options, function)));
                    }
                    else
                    {
                        throw new ArgumentException($"The tool '{tool.Name}' ({tool.GetType().Name}) cannot be sent over Chat Completions; only function tools (AIFunctionDeclaration) are supported.", nameof(options));
                    }
                }
            }

            result.AllowParallelToolCalls ??= options.AllowMultipleToolCalls;

            // Unlike Microsoft.Extensions.AI.OpenAI, no tool_choice is sent unless the caller chose one: servers such
            // as vLLM without --enable-auto-tool-choice reject an explicit "auto".
            result.ToolChoice ??= options.ToolMode switch
            {
                null => null,
                NoneChatToolMode => ChatToolChoice.CreateNoneChoice(),
                AutoChatToolMode => ChatToolChoice.CreateAutoChoice(),
                RequiredChatToolMode { RequiredFunctionName: { } name } => ChatToolChoice.CreateFunctionChoice(name),
                RequiredChatToolMode => ChatToolChoice.CreateRequiredChoice(),
                _ => null,
            };
        }

        if (options.ModelId is { Length: > 0 } model && !result.Patch.Contains("$.model"u8))
        {
            result.Patch.Set("$.model"u8, model);
        }

        if (options.TopK is { } topK && !result.Patch.Contains("$.top_k"u8))
        {
            result.Patch.Set("$.top_k"u8, topK);
        }

        if (options.AdditionalProperties is { Count: > 0 } extras)
        {
            foreach (var (key, value) in extras)
            {
                if (key == "strict" || string.IsNullOrEmpty(key))
                {
                    continue;
                }

                var path = Encoding.UTF8.GetBytes("$." + key);
                if (value is null)
                {
                    result.Patch.SetNull(path);
                }
                else
                {
                    var json = value is JsonElement element
                        ? Encoding.UTF8.GetBytes(element.GetRawText())
                        : JsonSerializer.SerializeToUtf8Bytes(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
                    result.Patch.Set(path, BinaryData.FromBytes(json));
                }
            }
        }

        return result;
    }

    private static bool? StrictFlag(ChatOptions options, AIFunctionDeclaration? function = null)
    {
        if (function?.AdditionalProperties.TryGetValue("strict", out var f) is true && f is bool fs)
        {
            return fs;
        }

        return options.AdditionalProperties?.TryGetValue("strict", out var o) is true && o is bool os ? os : null;
    }
}
