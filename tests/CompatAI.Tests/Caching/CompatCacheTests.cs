using CompatAI.Tests.Integration;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CompatAI.Tests.Caching;

/// <summary>
/// <c>UseCompatCache</c> over real CompatAI clients talking to the emulator on loopback: upstream traffic is counted in
/// the emulator's request log, by personality and by a prompt unique to each test.
/// </summary>
public sealed class CompatCacheTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string GroqModel = "llama-3.3-70b-versatile";
    private const string VllmModel = "meta-llama/Llama-3.1-8B-Instruct";

    private ChatClientBuilder Builder(string personality, string model) => CompatChatClient.CreateBuilder(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    private int Upstream(string personality, string prompt) =>
        fixture.Emulator.Requests.Count(r => r.Personality == personality && r.Body.Contains(prompt, StringComparison.Ordinal));

    private static string UniquePrompt() => "cache test " + Guid.NewGuid().ToString("N");

    private static MemoryDistributedCache NewCache() => new(Options.Create(new MemoryDistributedCacheOptions()));

    [Fact]
    public async Task Plain_UseDistributedCache_serves_one_providers_answer_to_another_the_pitfall_UseCompatCache_fixes()
    {
        var shared = NewCache();
        using var groq = Builder("groq", GroqModel).UseDistributedCache(shared).Build();
        using var vllm = Builder("vllm", VllmModel).UseDistributedCache(shared).Build();
        var prompt = UniquePrompt();

        var fromGroq = await groq.GetResponseAsync(prompt);
        var servedToVllm = await vllm.GetResponseAsync(prompt);

        Assert.Equal(1, Upstream("groq", prompt));
        Assert.Equal(0, Upstream("vllm", prompt)); // vLLM was never asked...
        Assert.Equal(GroqModel, servedToVllm.ModelId); // ...and got Groq's answer
        Assert.Equal(fromGroq.ResponseId, servedToVllm.ResponseId);
    }

    [Fact]
    public async Task Two_providers_sharing_one_cache_never_serve_each_others_answers()
    {
        var shared = NewCache();
        using var groq = Builder("groq", GroqModel).UseCompatCache(shared).Build();
        using var vllm = Builder("vllm", VllmModel).UseCompatCache(shared).Build();
        var prompt = UniquePrompt();

        var groqFirst = await groq.GetResponseAsync(prompt);
        var vllmFirst = await vllm.GetResponseAsync(prompt);
        Assert.Equal(1, Upstream("groq", prompt));
        Assert.Equal(1, Upstream("vllm", prompt));
        Assert.Equal(GroqModel, groqFirst.ModelId);
        Assert.Equal(VllmModel, vllmFirst.ModelId);

        // Asked again, each is served its own cached answer.
        var groqAgain = await groq.GetResponseAsync(prompt);
        var vllmAgain = await vllm.GetResponseAsync(prompt);
        Assert.Equal(1, Upstream("groq", prompt));
        Assert.Equal(1, Upstream("vllm", prompt));
        Assert.Equal(groqFirst.ResponseId, groqAgain.ResponseId);
        Assert.Equal(vllmFirst.ResponseId, vllmAgain.ResponseId);
        Assert.NotEqual(groqAgain.ResponseId, vllmAgain.ResponseId);
        Assert.Equal(VllmModel, vllmAgain.ModelId);
    }

    [Fact]
    public async Task Same_provider_and_request_is_served_from_the_cache()
    {
        using var client = Builder("groq", GroqModel).UseCompatCache().Build();
        var prompt = UniquePrompt();

        var first = await client.GetResponseAsync(prompt);
        var second = await client.GetResponseAsync(prompt);

        Assert.Equal(1, Upstream("groq", prompt));
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.ResponseId, second.ResponseId);
        Assert.Contains(prompt, second.Text, StringComparison.Ordinal); // the emulator echoes the prompt
    }

    [Fact]
    public async Task A_different_model_misses_whether_it_is_the_default_or_set_per_request()
    {
        var shared = NewCache();
        using var big = Builder("groq", GroqModel).UseCompatCache(shared).Build();
        using var small = Builder("groq", "llama-3.1-8b-instant").UseCompatCache(shared).Build();
        var prompt = UniquePrompt();

        await big.GetResponseAsync(prompt);
        var fromSmall = await small.GetResponseAsync(prompt);
        Assert.Equal(2, Upstream("groq", prompt));
        Assert.Equal("llama-3.1-8b-instant", fromSmall.ModelId);

        var overridden = await big.GetResponseAsync(prompt, new ChatOptions { ModelId = "qwen/qwen3-32b" });
        Assert.Equal(3, Upstream("groq", prompt));
        Assert.Equal("qwen/qwen3-32b", overridden.ModelId);

        await big.GetResponseAsync(prompt, new ChatOptions { ModelId = "qwen/qwen3-32b" });
        Assert.Equal(3, Upstream("groq", prompt)); // the per-request model is part of the key: now a hit
    }

    [Fact]
    public async Task Streaming_responses_are_cached_too()
    {
        using var client = Builder("vllm", VllmModel).UseCompatCache().Build();
        var prompt = UniquePrompt();

        var first = await client.GetStreamingResponseAsync(prompt).ToChatResponseAsync();
        var second = await client.GetStreamingResponseAsync(prompt).ToChatResponseAsync();

        Assert.Equal(1, Upstream("vllm", prompt));
        Assert.Contains(prompt, first.Text, StringComparison.Ordinal);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.FinishReason, second.FinishReason);
    }

    [Fact]
    public async Task Reasoning_survives_the_cache_in_both_modes()
    {
        using var client = Builder("deepseek", "deepseek-reasoner").UseCompatCache().Build();
        var prompt = UniquePrompt();

        var first = await client.GetResponseAsync(prompt);
        var cached = await client.GetResponseAsync(prompt);
        Assert.Equal(1, Upstream("deepseek", prompt));
        var reasoning = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>()).Text;
        Assert.False(string.IsNullOrWhiteSpace(reasoning));
        Assert.Equal(reasoning, Assert.Single(cached.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>()).Text);
        Assert.Equal(first.Text, cached.Text);

        var streamPrompt = UniquePrompt();
        var streamed = await client.GetStreamingResponseAsync(streamPrompt).ToChatResponseAsync();
        var streamedCached = await client.GetStreamingResponseAsync(streamPrompt).ToChatResponseAsync();
        Assert.Equal(1, Upstream("deepseek", streamPrompt));
        var streamedReasoning = string.Concat(streamed.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.False(string.IsNullOrWhiteSpace(streamedReasoning));
        Assert.Equal(streamedReasoning, string.Concat(streamedCached.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
        Assert.Equal(streamed.Text, streamedCached.Text);
    }

    [Fact]
    public async Task Without_a_cache_argument_the_IDistributedCache_from_services_is_used()
    {
        var services = new ServiceCollection().AddSingleton<IDistributedCache>(NewCache()).BuildServiceProvider();
        using var one = Builder("groq", GroqModel).UseCompatCache().Build(services);
        using var two = Builder("groq", GroqModel).UseCompatCache().Build(services);
        var prompt = UniquePrompt();

        await one.GetResponseAsync(prompt);
        await two.GetResponseAsync(prompt);

        Assert.Equal(1, Upstream("groq", prompt)); // the second client found the first one's entry in the shared store
    }

    [Fact]
    public async Task Configure_runs_and_its_key_values_are_kept_after_the_providers()
    {
        DistributedCachingChatClient? configured = null;
        using var tenantA = Builder("groq", GroqModel).UseCompatCache(NewCacheShared, c => { configured = c; c.CacheKeyAdditionalValues = ["tenant-a"]; }).Build();
        using var tenantB = Builder("groq", GroqModel).UseCompatCache(NewCacheShared, c => c.CacheKeyAdditionalValues = ["tenant-b"]).Build();
        var prompt = UniquePrompt();

        await tenantA.GetResponseAsync(prompt);
        await tenantB.GetResponseAsync(prompt);

        Assert.Same(configured, tenantA.GetService<DistributedCachingChatClient>());
        Assert.Equal(["groq", "tenant-a"], configured!.CacheKeyAdditionalValues!.Where(v => v is "groq" or "tenant-a").Select(v => (string)v));
        Assert.Equal(2, Upstream("groq", prompt)); // the caller's own key values still separate the entries
    }

    private MemoryDistributedCache NewCacheShared { get; } = NewCache();

    [Fact]
    public void A_client_that_reports_no_endpoint_is_refused_with_a_clear_error()
    {
        var builder = new ChatClientBuilder(new FakeChatClient()).UseCompatCache(NewCache());

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.Contains("UseCompatCache", error.Message, StringComparison.Ordinal);
        Assert.Contains("provider name and endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(FakeChatClient), error.Message, StringComparison.Ordinal);
    }
}
