using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>
/// Adds Microsoft.Extensions.AI's <see cref="DistributedCachingEmbeddingGenerator{TInput, TEmbedding}"/> with a cache key
/// that always names the provider, endpoint and model, so generators of several providers can share one cache safely.
/// </summary>
/// <remarks>
/// The plain <c>UseDistributedCache</c> keys an entry by the input and <see cref="EmbeddingGenerationOptions"/> only: two
/// generators of different providers or models sharing one <see cref="IDistributedCache"/> would serve each other's
/// vectors for the same text (vectors of different models are not comparable, and may not even have the same length).
/// </remarks>
public static class CompatCachingEmbeddingGeneratorBuilderExtensions
{
    /// <summary>The first value of every key this cache writes, so its entries never collide with other users of the same store.</summary>
    private const string KeyScope = "compatai.embeddings.cache.v1";

    /// <summary>
    /// Adds a <see cref="DistributedCachingEmbeddingGenerator{TInput, TEmbedding}"/> whose key includes the provider name,
    /// endpoint, model and default dimensions the inner generator reports.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="cache">
    /// The store; when <see langword="null"/>, the <see cref="IDistributedCache"/> registered in the builder's services,
    /// or else a new in-memory <see cref="MemoryDistributedCache"/> for the built generator.
    /// </param>
    /// <param name="configure">Configures the caching generator; values it puts in <c>CacheKeyAdditionalValues</c> are kept, after the provider's.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// When the pipeline is built: the inner generator reports no <see cref="EmbeddingGeneratorMetadata"/> with a provider
    /// name, endpoint and model. Generators from <c>CompatEmbeddingGenerator</c> always report them.
    /// </exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseCompatCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        IDistributedCache? cache = null,
        Action<DistributedCachingEmbeddingGenerator<string, Embedding<float>>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var metadata = inner.GetService<EmbeddingGeneratorMetadata>();
            if (metadata?.ProviderName is not { Length: > 0 } provider || metadata.ProviderUri is not { } endpoint || metadata.DefaultModelId is not { Length: > 0 } model)
            {
                throw new InvalidOperationException(
                    $"UseCompatCache needs the inner generator ({inner.GetType().Name}) to report EmbeddingGeneratorMetadata with a provider name, endpoint and model "
                    + "(generators from CompatEmbeddingGenerator.Create/CreateBuilder do); without them, generators of different providers sharing the cache "
                    + "could be served each other's vectors. Put UseCompatCache over a CompatAI generator, or use UseDistributedCache and set "
                    + "CacheKeyAdditionalValues to values that identify the provider and model yourself.");
            }

            var store = cache
                ?? services.GetService<IDistributedCache>()
                ?? new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
            var generator = new DistributedCachingEmbeddingGenerator<string, Embedding<float>>(inner, store);
            configure?.Invoke(generator);
            var dimensions = metadata.DefaultModelDimensions?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            generator.CacheKeyAdditionalValues = [KeyScope, provider, endpoint.AbsoluteUri, model, dimensions, .. generator.CacheKeyAdditionalValues ?? []];
            return generator;
        });
    }
}
