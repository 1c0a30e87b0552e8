using CompatAI.Tests.Embeddings;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CompatAI.Tests.Caching;

/// <summary>
/// <c>UseCompatCache</c> for embeddings over real CompatAI generators on the emulator: upstream traffic is counted in the
/// emulator's request log by personality and an input unique to each test.
/// </summary>
public sealed class CompatEmbeddingCacheTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    // The same model id is served by two personalities, so only the provider tells the cache entries apart.
    private const string Model = "text-embedding-3-small";

    private EmbeddingGeneratorBuilder<string, Embedding<float>> Builder(string personality) => CompatEmbeddingGenerator.CreateBuilder(new CompatEmbeddingGeneratorOptions
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = Model,
        Dimensions = 8,
        Retry = { MaxRetries = 0 },
    });

    private int Upstream(string personality, string input) =>
        fixture.Emulator.Requests.Count(r => r.Personality == personality && r.Body.Contains(input, StringComparison.Ordinal));

    private static string UniqueInput() => "cache test " + Guid.NewGuid().ToString("N");

    private static MemoryDistributedCache NewCache() => new(Options.Create(new MemoryDistributedCacheOptions()));

    [Fact]
    public async Task Plain_UseDistributedCache_serves_one_providers_vector_to_another_the_pitfall_UseCompatCache_fixes()
    {
        var shared = NewCache();
        using var openai = Builder("openai").UseDistributedCache(shared).Build();
        using var litellm = Builder("litellm").UseDistributedCache(shared).Build();
        var input = UniqueInput();

        await openai.GenerateAsync([input]);
        await litellm.GenerateAsync([input]);

        Assert.Equal(1, Upstream("openai", input));
        Assert.Equal(0, Upstream("litellm", input));
    }

    [Fact]
    public async Task Two_providers_sharing_one_cache_keep_their_own_entries_and_repeats_are_served_from_it()
    {
        var shared = NewCache();
        using var openai = Builder("openai").UseCompatCache(shared).Build();
        using var litellm = Builder("litellm").UseCompatCache(shared).Build();
        var input = UniqueInput();

        var first = await openai.GenerateAsync([input]);
        await litellm.GenerateAsync([input]);
        var again = await openai.GenerateAsync([input]);

        Assert.Equal(1, Upstream("openai", input));
        Assert.Equal(1, Upstream("litellm", input));
        Assert.Equal(EmulatorVectors.For(Model, input, 8), Assert.Single(again).Vector.ToArray());
        Assert.Equal(Assert.Single(first).Vector.ToArray(), Assert.Single(again).Vector.ToArray());
    }

    [Fact]
    public void UseCompatCache_over_a_generator_without_metadata_refuses_to_build()
    {
        var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(new MetadataFreeGenerator()).UseCompatCache(NewCache());

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.Contains("EmbeddingGeneratorMetadata", error.Message, StringComparison.Ordinal);
    }

    private sealed class MetadataFreeGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Never called: the pipeline is not built.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
