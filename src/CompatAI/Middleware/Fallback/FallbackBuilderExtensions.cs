using CompatAI.Builder;
using Microsoft.Extensions.AI;

namespace CompatAI.Middleware.Fallback;

/// <summary>Adds a <see cref="FallbackChatClient"/> to a <see cref="CompatChatClientBuilder"/>.</summary>
public static class FallbackBuilderExtensions
{
    /// <summary>
    /// Makes the rest of the pipeline the first client of a fallback chain, followed by <paramref name="fallbacks"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="fallbacks">The clients tried, in order, when the pipeline's own client fails.</param>
    /// <param name="configure">Sets options; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    public static CompatChatClientBuilder UseFallback(this CompatChatClientBuilder builder, IEnumerable<IChatClient> fallbacks, Action<FallbackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(fallbacks);
        var options = new FallbackOptions();
        configure?.Invoke(options);
        var rest = fallbacks.ToList();
        return builder.Use(inner => new FallbackChatClient([inner, .. rest], options));
    }
}
