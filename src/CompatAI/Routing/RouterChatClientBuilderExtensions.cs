using CompatAI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds a <see cref="RouterChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class RouterChatClientBuilderExtensions
{
    /// <summary>
    /// Makes the pipeline built so far the first candidate of a router, followed by <paramref name="others"/>; each request
    /// goes to the best candidate by the strategy and fails over along the ranking (see <see cref="RouterChatClient"/>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="others">The other candidates.</param>
    /// <param name="configure">Configures the strategy, prices and failover.</param>
    /// <param name="first">Describes the pipeline built so far (name, quality, weight, capabilities); <see langword="null"/> to read it from the client.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseRouter(this ChatClientBuilder builder, IEnumerable<RouteCandidate> others, Action<RouterOptions>? configure = null, Func<IChatClient, RouteCandidate>? first = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(others);
        var options = new RouterOptions();
        configure?.Invoke(options);
        options.Validate();
        var rest = others.ToList();
        return builder.Use(inner => new RouterChatClient([first?.Invoke(inner) ?? new RouteCandidate(inner), .. rest], options));
    }
}
