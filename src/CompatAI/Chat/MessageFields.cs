using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using SdkChatMessage = OpenAI.Chat.ChatMessage;

namespace CompatAI;

/// <summary>
/// Sends a message's own extra fields: <see cref="AIChatMessage.AdditionalProperties"/> entries whose keys the provider's
/// profile lists in <see cref="ProviderProfile.MessageFields"/> become fields of that message on the wire.
/// </summary>
internal static class MessageFields
{
    /// <summary>Returns the messages to send: the caller's list itself when no message carries an allowed field.</summary>
    public static IEnumerable<AIChatMessage> Prepare(IEnumerable<AIChatMessage> messages, ProviderProfile profile)
    {
        var allowed = profile.MessageFields;
        if (allowed.Count == 0)
        {
            return messages;
        }

        var list = messages as IList<AIChatMessage> ?? messages.ToList();
        List<AIChatMessage>? result = null;
        for (var i = 0; i < list.Count; i++)
        {
            var message = list[i];
            if (!HasAllowedField(message, allowed))
            {
                result?.Add(message);
                continue;
            }

            if (result is null)
            {
                result = new List<AIChatMessage>(list.Count + 1);
                for (var j = 0; j < i; j++)
                {
                    result.Add(list[j]);
                }
            }

            result.AddRange(WithFields(message, allowed));
        }

        return result ?? list;
    }

    private static bool HasAllowedField(AIChatMessage message, IReadOnlyList<string> allowed)
    {
        if (message.AdditionalProperties is not { Count: > 0 } properties)
        {
            return false;
        }

        foreach (var name in allowed)
        {
            if (properties.ContainsKey(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Returns <paramref name="message"/> as one or more copies whose raw SDK messages carry the allowed fields. A tool
    /// message with several results becomes one message per result, as Chat Completions sends them anyway.
    /// </summary>
    private static List<AIChatMessage> WithFields(AIChatMessage message, IReadOnlyList<string> allowed)
    {
        if (message.Role == ChatRole.Assistant)
        {
            var raw = AssistantMessages.ToRaw(message);
            Patch(raw, message, allowed);
            return [AssistantMessages.WithRaw(message, raw)];
        }

        var raws = message.RawRepresentation is SdkChatMessage existing
            ? [AssistantMessages.Copy(existing)]
            : MicrosoftExtensionsAIChatExtensions.AsOpenAIChatMessages([message]).ToList();
        var copies = new List<AIChatMessage>(raws.Count);
        foreach (var raw in raws)
        {
            Patch(raw, message, allowed);
            var copy = message.Clone();
            copy.RawRepresentation = raw;
            if (raws.Count > 1 && raw is ToolChatMessage tool)
            {
                copy.Contents = [.. message.Contents.Where(c => c is FunctionResultContent result && result.CallId == tool.ToolCallId)];
            }

            copies.Add(copy);
        }

        return copies;
    }

    private static void Patch(SdkChatMessage raw, AIChatMessage message, IReadOnlyList<string> allowed)
    {
        foreach (var name in allowed)
        {
            if (!message.AdditionalProperties!.TryGetValue(name, out var value))
            {
                continue;
            }

            var path = Encoding.UTF8.GetBytes("$." + name);
            if (value is null)
            {
                raw.Patch.SetNull(path);
                continue;
            }

            var json = value is JsonElement element
                ? Encoding.UTF8.GetBytes(element.GetRawText())
                : JsonSerializer.SerializeToUtf8Bytes(value, AssistantMessages.CompactJson.GetTypeInfo(value.GetType()));
            raw.Patch.Set(path, BinaryData.FromBytes(json));
        }
    }
}
