using CompatAI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="ModelLifecycleChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class ModelLifecycleChatClientBuilderExtensions
{
    /// <summary>
    /// Applies the catalog's model lifecycles: retired models fail before anything is sent to the provider's host,
    /// deprecated ones log a warning once, and "model not found" answers for retired models say so. CompatAI's provider
    /// pipeline already includes it; add it yourself around other clients.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="profile">The provider's profile; when <see langword="null"/>, the inner client's.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseModelLifecycle(this ChatClientBuilder builder, ProviderProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new ModelLifecycleChatClient(inner, profile, services.GetService<ILoggerFactory>()?.CreateLogger<ModelLifecycleChatClient>(), services.GetService<TimeProvider>()));
    }
}
