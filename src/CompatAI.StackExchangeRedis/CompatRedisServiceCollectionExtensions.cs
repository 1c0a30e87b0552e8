using CompatAI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis connection CompatAI shares state through.</summary>
public static class CompatRedisServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CompatRedisConnection"/> (and its <see cref="IConnectionMultiplexer"/>) configured by
    /// <paramref name="configure"/>. The options are validated when the connection is first resolved.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets <see cref="CompatRedisOptions.Configuration"/> and the other options.</param>
    /// <returns>The <paramref name="services"/>.</returns>
    public static IServiceCollection AddCompatRedis(this IServiceCollection services, Action<CompatRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<CompatRedisOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>Registers <see cref="CompatRedisConnection"/> with options bound from <paramref name="section"/> (usually <c>CompatAI:Redis</c>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The configuration section.</param>
    /// <returns>The <paramref name="services"/>.</returns>
    public static IServiceCollection AddCompatRedis(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<CompatRedisOptions>().Bind(section);
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddSingleton<CompatRedisConnection>();
        services.TryAddSingleton<IConnectionMultiplexer>(static sp => sp.GetRequiredService<CompatRedisConnection>().Multiplexer);
        return services;
    }
}
