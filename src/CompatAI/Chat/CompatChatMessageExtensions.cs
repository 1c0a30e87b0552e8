using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI;

/// <summary>Per-message extras for Chat Completions providers.</summary>
public static class CompatChatMessageExtensions
{
    /// <summary>The <see cref="AIChatMessage.AdditionalProperties"/> key that marks a prefix message; its value is <see langword="true"/>.</summary>
    public const string PrefixPropertyName = "prefix";

    /// <summary>
    /// Returns a copy of an assistant message marked as a prefix: sent as the last message with <c>"prefix": true</c>, so
    /// that the model continues its text (code completion, forced formats). Supported where the provider's profile has
    /// <see cref="ProviderProfile.PrefixCompletion"/> (DeepSeek, whose requests then go to its beta path
    /// <c>/beta/chat/completions</c>; Mistral); elsewhere, or anywhere but last in the conversation, the request fails
    /// with an <see cref="ArgumentException"/> before any network call.
    /// </summary>
    /// <param name="message">An assistant message; it is not changed.</param>
    /// <returns>A copy with <see cref="PrefixPropertyName"/> set and a raw SDK message that carries <c>"prefix": true</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="message"/> is not an assistant message.</exception>
    public static AIChatMessage AsPrefix(this AIChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Role != ChatRole.Assistant)
        {
            throw new ArgumentException($"Only an assistant message can be a prefix; this message has the role '{message.Role.Value}'.", nameof(message));
        }

        var copy = message.Clone();
        copy.AdditionalProperties = message.AdditionalProperties is null ? [] : new AdditionalPropertiesDictionary(message.AdditionalProperties);
        copy.AdditionalProperties[PrefixPropertyName] = true;
        return PrefixMessages.WithRaw(copy);
    }

    /// <summary>Returns whether <paramref name="message"/> is marked as a prefix by <see cref="AsPrefix"/>.</summary>
    /// <param name="message">A message.</param>
    /// <returns><see langword="true"/> when the message carries <see cref="PrefixPropertyName"/> = <see langword="true"/>.</returns>
    public static bool IsPrefix(this AIChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.AdditionalProperties?.TryGetValue(PrefixPropertyName, out var value) is true && value is true;
    }
}
