using CompatAI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the response cache in Redis.</summary>
public static class CompatRedisCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CompatRedisCache"/> as the <see cref="IDistributedCache"/> (replacing any registered before), over
    /// the connection of <see cref="CompatRedisServiceCollectionExtensions.AddCompatRedis(IServiceCollection, Action{CompatRedisOptions})"/>,
    /// which must be called too. <c>UseCompatCache()</c> on a chat client builder then caches in Redis, shared by every
    /// process with the same key prefix; a Redis failure is a miss, never a failed request.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets <see cref="CompatRedisCacheOptions.DefaultAbsoluteExpiration"/>. Default: none.</param>
    /// <returns>The <paramref name="services"/>.</returns>
    public static IServiceCollection AddCompatRedisCache(this IServiceCollection services, Action<CompatRedisCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<CompatRedisCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<CompatRedisCache>(static sp => ActivatorUtilities.CreateInstance<CompatRedisCache>(sp, CompatRedisServices.Connection(sp, nameof(AddCompatRedisCache))));
        services.AddSingleton<IDistributedCache>(static sp => sp.GetRequiredService<CompatRedisCache>());
        return services;
    }
}
