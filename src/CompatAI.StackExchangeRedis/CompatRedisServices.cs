using Microsoft.Extensions.DependencyInjection;

namespace CompatAI;

/// <summary>Resolves the shared connection for the stores' registrations, with an error that says what is missing.</summary>
internal static class CompatRedisServices
{
    public static CompatRedisConnection Connection(IServiceProvider services, string registration) =>
        services.GetService<CompatRedisConnection>()
            ?? throw new InvalidOperationException($"{registration}() needs the Redis connection: call services.AddCompatRedis(...) as well (with {CompatRedisOptions.SectionName}:Configuration).");
}
