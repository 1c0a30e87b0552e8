using CompatAI.Tests.Infrastructure;

namespace CompatAI.Tests.Completions;

/// <summary>The exact <c>/completions</c> request each provider that serves it gets, as golden files (Golden/completions/&lt;provider&gt;.json).</summary>
public sealed class CompletionsGoldenRequestTests
{
    private const string Answer = """{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"text":" world","index":0,"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";

    public static TheoryData<string> CompletionProviders() =>
        [.. ProviderCatalog.Default.Profiles.Where(p => p.RetiredMessage is null && p.Completions is not null).Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(CompletionProviders))]
    public async Task Request_sent_to_each_completions_provider_matches_its_golden_file(string provider)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Answer));
        var profile = ProviderCatalog.Default.Get(provider);
        var client = new CompletionClient(new CompletionClientOptions
        {
            Provider = provider,
            Endpoint = server.V1,
            ApiKey = ClientFactory.TestKey,
            Model = profile.Completions!.DefaultModel is null ? "test-completion-model" : null,
            Retry = { MaxRetries = 0 },
        });

        var response = await client.CompleteAsync(new CompletionRequest("def add(a, b):") { Suffix = "    return c", MaxTokens = 32, Temperature = 0, StopSequences = { "\n\n" } });

        Assert.Equal(" world", response.Text);
        Approvals.VerifyJson($"completions/{provider}", GoldenRequest.From(server.LastRequest, profile));
    }
}
