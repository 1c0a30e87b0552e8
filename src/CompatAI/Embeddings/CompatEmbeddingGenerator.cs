using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>The entry point for embeddings: one <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for any catalog provider that serves <c>/embeddings</c>.</summary>
public static class CompatEmbeddingGenerator
{
    /// <summary>Creates the provider's embedding generator (an <see cref="OpenAICompatibleEmbeddingGenerator"/>).</summary>
    /// <param name="options">The provider, and optionally endpoint, key, model, dimensions and transport settings.</param>
    /// <returns>The generator.</returns>
    /// <exception cref="ArgumentException">The options are invalid, or the provider does not serve <c>/embeddings</c> according to its profile.</exception>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(CompatEmbeddingGeneratorOptions options) => new OpenAICompatibleEmbeddingGenerator(options);

    /// <summary>
    /// Creates a Microsoft.Extensions.AI <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/> whose inner generator
    /// is the provider's (as <see cref="Create"/> returns it), so that application middleware (<c>UseCompatCache</c>,
    /// <c>UseDistributedCache</c>, <c>UseOpenTelemetry</c>, <c>UseLogging</c>) wraps it.
    /// </summary>
    /// <param name="options">The provider, and optionally endpoint, key, model, dimensions and transport settings.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="Create"/>); raised here, before anything is built.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> CreateBuilder(CompatEmbeddingGeneratorOptions options) => new(Create(options));
}
