using CompatAI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Adds a <see cref="StreamingFallbackChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class StreamingFallbackChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the streaming to non-streaming fallback around any inner client. CompatAI's own client
    /// (<see cref="CompatChatClient.Create"/>) already includes it.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="profile">The provider's profile, whose <see cref="ProviderQuirks.SupportsStreaming"/> is honoured; <see langword="null"/> to learn from rejections only.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseStreamingFallback(this ChatClientBuilder builder, ProviderProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
            new StreamingFallbackChatClient(inner, profile, services.GetService<ILoggerFactory>()?.CreateLogger<StreamingFallbackChatClient>()));
    }
}
