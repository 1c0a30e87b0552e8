using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Embeddings;

/// <summary>The exact <c>/embeddings</c> request each provider that serves it gets, as golden files (Golden/embeddings/&lt;provider&gt;.json).</summary>
public sealed class EmbeddingsGoldenRequestTests
{
    // One float, 1.0f, little-endian and base64-encoded.
    private const string Answer = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":"AACAPw=="}],"model":"m","usage":{"prompt_tokens":2,"total_tokens":2}}""";

    public static TheoryData<string> EmbeddingProviders() =>
        [.. ProviderCatalog.Default.Profiles.Where(p => p.RetiredMessage is null && p.Embeddings is not null).Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(EmbeddingProviders))]
    public async Task Request_sent_to_each_embeddings_provider_matches_its_golden_file(string provider)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Answer));
        var profile = ProviderCatalog.Default.Get(provider);
        using var generator = CompatEmbeddingGenerator.Create(new CompatEmbeddingGeneratorOptions
        {
            Provider = provider,
            Endpoint = server.V1,
            ApiKey = ClientFactory.TestKey,
            Model = profile.Embeddings!.DefaultModel is null ? "test-embedding-model" : null,
            Retry = { MaxRetries = 0 },
        });

        var result = await generator.GenerateAsync(["Hello, world"]);

        Assert.Equal([1f], Assert.Single(result).Vector.ToArray());
        Approvals.VerifyJson($"embeddings/{provider}", GoldenRequest.From(server.LastRequest, profile));
    }
}
