using CompatAI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the budget store in Redis.</summary>
public static class CompatRedisBudgetServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RedisBudgetStore"/> as the <see cref="IBudgetStore"/> (replacing any registered before), over the
    /// connection of <see cref="CompatRedisServiceCollectionExtensions.AddCompatRedis(IServiceCollection, Action{CompatRedisOptions})"/>,
    /// which must be called too. <c>UseBudgets</c> without a store of its own then keeps its budgets in Redis, shared by every
    /// process with the same key prefix.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">
    /// Sets <see cref="CompatRedisBudgetOptions"/> (leases; on by default). Default: none (the options as configured
    /// elsewhere, for example bound from <see cref="CompatRedisBudgetOptions.SectionName"/>, or their defaults).
    /// </param>
    /// <returns>The <paramref name="services"/>.</returns>
    public static IServiceCollection AddCompatRedisBudgetStore(this IServiceCollection services, Action<CompatRedisBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<CompatRedisBudgetOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<RedisBudgetStore>(static sp => ActivatorUtilities.CreateInstance<RedisBudgetStore>(sp, CompatRedisServices.Connection(sp, nameof(AddCompatRedisBudgetStore))));
        services.AddSingleton<IBudgetStore>(static sp => sp.GetRequiredService<RedisBudgetStore>());
        return services;
    }
}
