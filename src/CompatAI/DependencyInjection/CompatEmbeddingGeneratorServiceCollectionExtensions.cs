using CompatAI;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers a CompatAI embedding generator with Microsoft.Extensions.AI's <c>AddEmbeddingGenerator</c> and returns its
/// <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>, to which application middleware is added.
/// </summary>
public static class CompatEmbeddingGeneratorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the embedding generator of the provider named in <paramref name="options"/> as
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of <see cref="string"/> and <see cref="Embedding{T}"/> of
    /// <see cref="float"/>. The options are validated here, before anything is registered.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The provider, and optionally endpoint, key, model, dimensions and transport settings.</param>
    /// <param name="lifetime">The lifetime of the generator. Default: singleton.</param>
    /// <returns>Microsoft.Extensions.AI's builder, for adding middleware around the provider's generator.</returns>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="CompatEmbeddingGenerator.Create"/>).</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddCompatEmbeddingGenerator(
        this IServiceCollection services,
        CompatEmbeddingGeneratorOptions options,
        ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        var generator = CompatEmbeddingGenerator.Create(options);
        return services.AddEmbeddingGenerator(_ => lifetime == ServiceLifetime.Singleton ? generator : CompatEmbeddingGenerator.Create(options), lifetime);
    }

    /// <summary>Like <see cref="AddCompatEmbeddingGenerator"/>, registered under <paramref name="serviceKey"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The key of the registration.</param>
    /// <param name="options">The provider, and optionally endpoint, key, model, dimensions and transport settings.</param>
    /// <param name="lifetime">The lifetime of the generator. Default: singleton.</param>
    /// <returns>Microsoft.Extensions.AI's builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="CompatEmbeddingGenerator.Create"/>).</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddKeyedCompatEmbeddingGenerator(
        this IServiceCollection services,
        object? serviceKey,
        CompatEmbeddingGeneratorOptions options,
        ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        var generator = CompatEmbeddingGenerator.Create(options);
        return services.AddKeyedEmbeddingGenerator(serviceKey, _ => lifetime == ServiceLifetime.Singleton ? generator : CompatEmbeddingGenerator.Create(options), lifetime);
    }
}
