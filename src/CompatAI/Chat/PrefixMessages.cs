using System.Text;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI;

/// <summary>Checks and encodes prefix messages (<see cref="CompatChatMessageExtensions.AsPrefix"/>) for one provider.</summary>
internal static class PrefixMessages
{
    /// <summary>
    /// Fails when a prefix message is anywhere but last or the provider has no prefix completion; makes sure the last
    /// message's raw SDK form carries <c>"prefix": true</c> (a middleware may have replaced it). Returns the list to send.
    /// </summary>
    public static IEnumerable<AIChatMessage> Prepare(IEnumerable<AIChatMessage> messages, ProviderProfile profile)
    {
        var list = messages as IList<AIChatMessage> ?? messages.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not { } message || !message.IsPrefix())
            {
                continue;
            }

            if (i != list.Count - 1)
            {
                throw new ArgumentException($"messages[{i}] is a prefix message but is not the last message: a prefix must be the final assistant message of the conversation.", nameof(messages));
            }

            if (message.Role != ChatRole.Assistant)
            {
                throw new ArgumentException($"messages[{i}] is marked as a prefix but has the role '{message.Role.Value}': only an assistant message can be a prefix.", nameof(messages));
            }

            if (profile.PrefixCompletion is null)
            {
                throw new ArgumentException($"messages[{i}] is a prefix message, but provider '{profile.Name}' has no prefix completion in its profile (supported where the profile has prefixCompletion: DeepSeek, Mistral, Moonshot).", nameof(messages));
            }

            var field = profile.PrefixCompletion.Field;
            if (field == CompatChatMessageExtensions.PrefixPropertyName && message.RawRepresentation is AssistantChatMessage raw && raw.Patch.Contains("$.prefix"u8))
            {
                return list;
            }

            var copy = new List<AIChatMessage>(list);
            copy[i] = WithRaw(message, field);
            return copy;
        }

        return list;
    }

    /// <summary>Returns whether the last of <paramref name="messages"/> is a prefix message.</summary>
    public static bool HasPrefix(IEnumerable<AIChatMessage> messages) =>
        messages is IList<AIChatMessage> { Count: > 0 } list ? list[^1].IsPrefix() : messages.LastOrDefault()?.IsPrefix() is true;

    /// <summary>
    /// Returns a copy of <paramref name="message"/> whose raw SDK message carries <c>"<paramref name="field"/>": true</c>
    /// (<c>prefix</c> for DeepSeek and Mistral, <c>partial</c> for Moonshot) and no other prefix marker.
    /// </summary>
    public static AIChatMessage WithRaw(AIChatMessage message, string field = CompatChatMessageExtensions.PrefixPropertyName)
    {
        var raw = AssistantMessages.ToRaw(message);
        if (field != CompatChatMessageExtensions.PrefixPropertyName && raw.Patch.Contains("$.prefix"u8))
        {
            raw.Patch.Remove("$.prefix"u8);
        }

        raw.Patch.Set(Encoding.UTF8.GetBytes("$." + field), true);
        return AssistantMessages.WithRaw(message, raw);
    }
}
