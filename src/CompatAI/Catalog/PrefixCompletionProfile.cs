namespace CompatAI;

/// <summary>
/// How a provider serves prefix completion: a final assistant message sent with <c>"prefix": true</c> (or the provider's own <see cref="Field"/>), whose text the
/// model continues (see <see cref="CompatChatMessageExtensions.AsPrefix"/>). A profile without it does not support
/// prefix messages, and sending one is an <see cref="ArgumentException"/> before any network call.
/// </summary>
public sealed class PrefixCompletionProfile
{
    /// <summary>The default path of Chat Completions relative to the base URL.</summary>
    public const string DefaultPath = "chat/completions";

    /// <summary>Gets the path requests with a prefix message go to, relative to the provider's base URL. Default: <c>chat/completions</c>; DeepSeek's beta: <c>beta/chat/completions</c>.</summary>
    public string Path { get; init => field = string.IsNullOrWhiteSpace(value) ? DefaultPath : value.Trim('/'); } = DefaultPath;

    /// <summary>Gets the message field that marks the prefix message. Default: <c>prefix</c> (DeepSeek, Mistral); Moonshot's partial mode: <c>partial</c>.</summary>
    public string Field { get; init => field = string.IsNullOrWhiteSpace(value) ? CompatChatMessageExtensions.PrefixPropertyName : value; } = CompatChatMessageExtensions.PrefixPropertyName;
}
