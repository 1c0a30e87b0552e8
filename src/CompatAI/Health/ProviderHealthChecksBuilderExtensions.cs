using CompatAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a <see cref="ProviderHealthCheck"/> per router candidate to the health checks.</summary>
public static class ProviderHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds one health check per candidate, named <c>compatai:&lt;candidate&gt;</c> and tagged <c>compatai</c>, reading the
    /// <see cref="RouterChatClient"/> registered as the <see cref="IChatClient"/> (for example by <c>AddCompatRouterChatClient</c>).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="candidates">The candidates' names.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static IHealthChecksBuilder AddCompatProviderHealthChecks(this IHealthChecksBuilder builder, params string[] candidates)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(candidates);
        foreach (var candidate in candidates)
        {
            builder.Add(new HealthCheckRegistration(
                $"compatai:{candidate}",
                services => new ProviderHealthCheck(
                    () => services.GetRequiredService<IChatClient>().GetService<RouterChatClient>()
                        ?? throw new InvalidOperationException("The registered IChatClient contains no RouterChatClient: register one with AddCompatRouterChatClient."),
                    candidate),
                failureStatus: null,
                tags: ["compatai"]));
        }

        return builder;
    }
}
