using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>
/// Adds Microsoft.Extensions.AI's <see cref="DistributedCachingChatClient"/> to a pipeline with a cache key that always
/// names the provider, endpoint and model, so clients of several providers can share one cache safely.
/// </summary>
/// <remarks>
/// The plain <c>UseDistributedCache</c> keys an entry by the messages and <see cref="ChatOptions"/> only: two clients of
/// different providers (or endpoints, or default models) sharing one <see cref="IDistributedCache"/> serve each other's
/// cached answers for the same prompt unless every request sets <see cref="ChatOptions.ModelId"/>.
/// <see cref="UseCompatCache"/> adds the inner client's <see cref="ChatClientMetadata.ProviderName"/>,
/// <see cref="ChatClientMetadata.ProviderUri"/> and <see cref="ChatClientMetadata.DefaultModelId"/> to
/// <see cref="DistributedCachingChatClient.CacheKeyAdditionalValues"/>; a request's <see cref="ChatOptions.ModelId"/> is
/// part of the key already, as the serialized options are.
/// </remarks>
public static class CompatCachingChatClientBuilderExtensions
{
    /// <summary>The first value of every key this cache writes, so its entries never collide with other users of the same store.</summary>
    private const string KeyScope = "compatai.cache.v1";

    /// <summary>
    /// Adds a <see cref="DistributedCachingChatClient"/> (non-streaming and streaming responses are cached) whose key
    /// includes the provider name, endpoint and default model the inner client reports.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="cache">
    /// The store; when <see langword="null"/>, the <see cref="IDistributedCache"/> registered in the builder's services,
    /// or else a new in-memory <see cref="MemoryDistributedCache"/> for the built client.
    /// </param>
    /// <param name="configure">
    /// Configures the caching client (for example its <see cref="DistributedCachingChatClient.JsonSerializerOptions"/>).
    /// Values it puts in <see cref="DistributedCachingChatClient.CacheKeyAdditionalValues"/> are kept, after the provider's.
    /// </param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// When the pipeline is built: the inner client reports no <see cref="ChatClientMetadata"/> with a provider name and
    /// endpoint, so a safe key cannot be made. Clients from <c>CompatChatClient</c> always report them.
    /// </exception>
    public static ChatClientBuilder UseCompatCache(this ChatClientBuilder builder, IDistributedCache? cache = null, Action<DistributedCachingChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var metadata = inner.GetService<ChatClientMetadata>();
            if (metadata?.ProviderName is not { Length: > 0 } provider || metadata.ProviderUri is not { } endpoint)
            {
                throw new InvalidOperationException(
                    $"UseCompatCache needs the inner client ({inner.GetType().Name}) to report ChatClientMetadata with a provider name and endpoint "
                    + "(clients from CompatChatClient.Create/CreateBuilder do); without them, clients of different providers sharing the cache "
                    + "could be served each other's answers. Put UseCompatCache over a CompatAI client, or use UseDistributedCache and set "
                    + "CacheKeyAdditionalValues to values that identify the provider yourself.");
            }

            var store = cache
                ?? services.GetService<IDistributedCache>()
                ?? new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
            var client = new DistributedCachingChatClient(inner, store);
            configure?.Invoke(client);
            client.CacheKeyAdditionalValues = [KeyScope, provider, endpoint.AbsoluteUri, metadata.DefaultModelId ?? string.Empty, .. client.CacheKeyAdditionalValues ?? []];
            return client;
        });
    }
}
