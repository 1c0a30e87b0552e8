using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Routing;

/// <summary>
/// Microsoft.Extensions.AI's own <see cref="SemanticRoutingChatClient"/> over CompatAI: its routes are
/// <see cref="RouterChatClient"/>s and its embedding generator is <see cref="CompatEmbeddingGenerator"/>, all against
/// the emulator on loopback. The emulator's vectors are SHA-256 of the model and the text (see its EmbeddingsEndpoint):
/// the same text gives the same vector (cosine 1) and any other text a nearly orthogonal one (|cosine| of a few
/// hundredths at 1536 dimensions). So a request that repeats an example utterance goes to that route and every other
/// request to the default route: this shows the wiring (who embeds, which router serves), not semantic quality.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class SemanticRoutingCompositionTests(EmulatorFixture fixture)
{
    private const string CodeExample = "Write a C# method that reverses a string.";

    // Prices of the test's own: in the cost router mistral is the cheaper one.
    private static readonly PriceTable s_prices = new([
        new ModelPrice { Provider = "mistral", Model = "mistral-small-latest", Input = 1m, Output = 1m },
        new ModelPrice { Provider = "deepseek", Model = "deepseek-chat", Input = 4m, Output = 4m },
    ]);

    private int ChatsTo(string personality, string text) =>
        fixture.Emulator.Requests.Count(r => r.Personality == personality && r.Path.EndsWith("/chat/completions", StringComparison.Ordinal) && r.Body.Contains(text, StringComparison.Ordinal));

    private int EmbeddingsOf(string text) =>
        fixture.Emulator.Requests.Count(r => r.Personality == "openai" && r.Path.EndsWith("/embeddings", StringComparison.Ordinal) && r.Body.Contains(text, StringComparison.Ordinal));

    private SemanticRoutingChatClient Build()
    {
        var latencyRouter = new RouterChatClient(
            [new RouteCandidate(fixture.Pipeline("groq", "llama-3.3-70b-versatile")), new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini"))],
            new RouterOptions { Strategy = RoutingStrategy.Latency });
        var costRouter = new RouterChatClient(
            [new RouteCandidate(fixture.Pipeline("deepseek", "deepseek-chat")), new RouteCandidate(fixture.Pipeline("mistral", "mistral-small-latest"))],
            new RouterOptions { Strategy = RoutingStrategy.Cost, Prices = s_prices });
        var embeddings = CompatEmbeddingGenerator.Create(new CompatEmbeddingGeneratorOptions
        {
            Provider = "openai",
            Endpoint = fixture.Emulator.GetEndpoint("openai"),
            ApiKey = "emulator-key",
            Model = "text-embedding-3-small",
            Retry = { MaxRetries = 0 },
        });
        return new SemanticRoutingChatClient(
            embeddings,
            new Dictionary<IChatClient, IReadOnlyList<string>> { [latencyRouter] = [CodeExample, "Fix the null reference in this loop."] },
            defaultClient: costRouter,
            scoreThreshold: 0.5f);
    }

    [Fact]
    public async Task A_code_question_goes_to_the_latency_router_and_anything_else_to_the_cost_router()
    {
        using var client = Build();
        int codeEmbeddings = EmbeddingsOf(CodeExample);

        var code = await client.GetResponseAsync(CodeExample);

        Assert.Equal("latency", code.AdditionalProperties![RouterChatClient.StrategyKey]);
        string codeProvider = (string)code.AdditionalProperties[FallbackChatClient.ProviderKey]!;
        Assert.Contains(codeProvider, new[] { "groq", "openai" });
        Assert.Equal(1, ChatsTo(codeProvider, CodeExample));
        Assert.Equal(0, ChatsTo("mistral", CodeExample) + ChatsTo("deepseek", CodeExample));
        // The example utterances and the request were embedded by CompatEmbeddingGenerator on the emulator.
        Assert.True(EmbeddingsOf(CodeExample) >= codeEmbeddings + 2);

        const string Other = "What is the capital of France?";
        var other = await client.GetResponseAsync(Other);

        Assert.Equal("cost", other.AdditionalProperties![RouterChatClient.StrategyKey]);
        Assert.Equal("mistral", other.AdditionalProperties[FallbackChatClient.ProviderKey]);
        Assert.Equal(1, ChatsTo("mistral", Other));
        Assert.Equal(0, ChatsTo("groq", Other) + ChatsTo("openai", Other) + ChatsTo("deepseek", Other));
        Assert.Equal(1, EmbeddingsOf(Other));
    }

    [Fact]
    public async Task The_chosen_router_still_fails_over_inside_its_route()
    {
        using var client = Build();
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(500));

        var response = await client.GetResponseAsync("Summarize the news of the day.");

        Assert.Equal("cost", response.AdditionalProperties![RouterChatClient.StrategyKey]);
        Assert.Equal("deepseek", response.AdditionalProperties[FallbackChatClient.ProviderKey]);
        Assert.Equal(2, response.AdditionalProperties[RouterChatClient.RankKey]);
    }
}
