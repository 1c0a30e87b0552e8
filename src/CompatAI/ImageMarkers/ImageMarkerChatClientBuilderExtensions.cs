using CompatAI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds an <see cref="ImageMarkerChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class ImageMarkerChatClientBuilderExtensions
{
    /// <summary>
    /// Turns <c>[IMAGE:data:...]</c> and <c>[IMAGE:https://...]</c> markers in user text into image content, and refuses
    /// images for models whose profile says they take none. The profile is the one the inner client reports (CompatAI's
    /// client and <c>UseCompatQuirks</c> do).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseImageMarkers(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(static inner => new ImageMarkerChatClient(inner));
    }

    /// <summary>Like <see cref="UseImageMarkers(ChatClientBuilder)"/>, for a catalog provider around any inner client.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The catalog name or alias of the provider.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not in the catalog.</exception>
    public static ChatClientBuilder UseImageMarkers(this ChatClientBuilder builder, string provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var profile = ProviderCatalog.Default.Get(provider);
        return builder.Use(inner => new ImageMarkerChatClient(inner, profile));
    }
}
