using CompatAI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis-backed <see cref="IRouteStateStore"/>, which fallback chains and routers share cooldowns, circuit state and latency through.</summary>
public static class CompatRedisRouteStateServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RedisRouteStateStore"/> as the <see cref="IRouteStateStore"/> (a singleton over the registered
    /// <see cref="CompatRedisConnection"/>). <c>AddCompatChatClient</c> and <c>AddCompatRouterChatClient</c> use it for
    /// every client whose <see cref="FallbackOptions.StateStore"/> is not set in code.
    /// </summary>
    /// <param name="services">The services; <c>AddCompatRedis</c> must have been called.</param>
    /// <returns>The <paramref name="services"/>.</returns>
    /// <exception cref="InvalidOperationException"><c>AddCompatRedis</c> was not called first.</exception>
    public static IServiceCollection AddCompatRedisRouteState(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(static d => d.ServiceType == typeof(CompatRedisConnection)))
        {
            throw new InvalidOperationException("AddCompatRedisRouteState needs the Redis connection: call services.AddCompatRedis(...) first.");
        }

        services.TryAddSingleton(static sp => new RedisRouteStateStore(sp.GetRequiredService<CompatRedisConnection>(), sp.GetService<ILogger<RedisRouteStateStore>>()));
        services.TryAddSingleton<IRouteStateStore>(static sp => sp.GetRequiredService<RedisRouteStateStore>());
        return services;
    }
}
