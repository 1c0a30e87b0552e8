using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using CompatAI.Tests.Support;

namespace CompatAI.Tests.Models;

/// <summary>Model discovery against a personality's <c>GET /models</c> over loopback HTTP.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class CompatModelClientTests(EmulatorFixture fixture)
{
    private int ModelRequests(string personality) =>
        fixture.Emulator.Requests.Count(r => r.Personality == personality && r.Method == "GET" && r.Path.EndsWith("/models", StringComparison.Ordinal));

    private CompatModelClient Client(string personality, TimeProvider? clock = null) => new(new CompatModelClientOptions
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Retry = { MaxRetries = 0 },
        TimeProvider = clock ?? TimeProvider.System,
    });

    [Fact]
    public async Task Lists_the_providers_models_through_the_SDK_and_caches_them()
    {
        var clock = new ManualTimeProvider();
        var client = Client("groq", clock);
        int before = ModelRequests("groq");

        var list = await client.ListModelsAsync();

        Assert.Equal(ModelSource.Provider, list.Source);
        Assert.Equal("groq", list.Provider);
        Assert.Equal(["llama-3.3-70b-versatile", "llama-3.1-8b-instant", "qwen/qwen3-32b", "openai/gpt-oss-20b", "openai/gpt-oss-120b"], list.Models);
        Assert.Same(list, await client.ListModelsAsync());
        Assert.Equal(before + 1, ModelRequests("groq"));

        clock.Advance(TimeSpan.FromMinutes(11));
        await client.ListModelsAsync();
        Assert.Equal(before + 2, ModelRequests("groq"));
    }

    [Fact]
    public async Task Falls_back_to_the_catalogs_known_models_when_the_list_fails()
    {
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(503));
        var client = Client("mistral");

        var list = await client.ListModelsAsync();

        Assert.Equal(ModelSource.Catalog, list.Source);
        Assert.NotNull(list.Error);
        Assert.DoesNotContain("emulator-key", list.Error);
        Assert.Contains(ProviderCatalog.Default.Get("mistral").DefaultModel!, list.Models);
    }

    [Fact]
    public async Task A_model_that_is_not_served_fails_with_close_matches()
    {
        var client = Client("groq");

        Assert.Equal("llama-3.1-8b-instant", await client.EnsureServedAsync("LLAMA-3.1-8b-instant"));
        var error = await Assert.ThrowsAsync<ModelNotServedException>(() => client.EnsureServedAsync("llama-3.3-70b-versatle"));
        Assert.Equal("llama-3.3-70b-versatile", error.CloseMatches[0]);
        Assert.Contains("Did you mean", error.Message);
    }

    [Fact]
    public void Capabilities_come_from_the_profile()
    {
        var perplexity = Client("perplexity").GetCapabilities("sonar");
        Assert.False(perplexity.Tools);
        var groq = Client("groq").GetCapabilities("openai/gpt-oss-120b");
        Assert.Equal(131072, groq.ContextWindow);
        Assert.Null(groq.Tools);
    }
}
