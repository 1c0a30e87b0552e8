using CompatAI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds CompatAI's pre-flight context-window check to a chat pipeline.</summary>
public static class ContextWindowCheckingChatClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="ContextWindowCheckingChatClient"/>: a prompt longer than the model's context window (as the
    /// provider's profile records it) fails with a <see cref="ProviderException"/> of kind
    /// <see cref="ProviderErrorKind.ContextLengthExceeded"/> before any network call.
    /// </summary>
    /// <param name="builder">The builder, whose inner client is a CompatAI client.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseContextWindowCheck(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new ContextWindowCheckingChatClient(inner));
    }
}
