using CompatAI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds a <see cref="FallbackChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class FallbackChatClientBuilderExtensions
{
    /// <summary>Makes the pipeline built so far the first client of a fallback chain, followed by <paramref name="fallbacks"/> in order.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="fallbacks">The clients tried, in order, when the inner client fails over.</param>
    /// <param name="configure">Configures the chain.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseFallback(this ChatClientBuilder builder, IEnumerable<IChatClient> fallbacks, Action<FallbackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(fallbacks);
        var options = new FallbackOptions();
        configure?.Invoke(options);
        var rest = fallbacks.ToList();
        return builder.Use(inner => new FallbackChatClient([inner, .. rest], options));
    }
}
