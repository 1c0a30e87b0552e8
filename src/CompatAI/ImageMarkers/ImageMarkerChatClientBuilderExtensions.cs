using CompatAI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds an <see cref="ImageMarkerChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class ImageMarkerChatClientBuilderExtensions
{
    /// <summary>
    /// Turns <c>[IMAGE:data:...]</c> and <c>[IMAGE:https://...]</c> markers in user text into image content parts; fails
    /// for models whose profile has no vision input.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="profile">The provider's profile; when <see langword="null"/>, the profile the inner client reports (CompatAI's client does).</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseImageMarkers(this ChatClientBuilder builder, ProviderProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new ImageMarkerChatClient(inner, profile));
    }
}
