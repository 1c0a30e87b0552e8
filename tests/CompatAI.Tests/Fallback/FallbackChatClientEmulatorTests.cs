using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Fallback;

/// <summary>The chain over real HTTP: default pipelines against the emulator's personalities on loopback.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class FallbackChatClientEmulatorTests(EmulatorFixture fixture)
{
    private int RequestsTo(string personality) => fixture.Emulator.Requests.Count(r => r.Personality == personality);

    /// <summary>Returns the answer's text and the chain's tags: of the response, or of a stream's updates (which must all agree).</summary>
    private static async Task<(string Text, AdditionalPropertiesDictionary Tags)> AskAsync(IChatClient client, string text, bool stream)
    {
        if (!stream)
        {
            var response = await client.GetResponseAsync(text);
            return (response.Text, response.AdditionalProperties!);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(text))
        {
            updates.Add(update);
        }

        Assert.NotEmpty(updates);
        Assert.All(updates, u => Assert.Equal(updates[0].AdditionalProperties![FallbackChatClient.ProviderKey], u.AdditionalProperties![FallbackChatClient.ProviderKey]));
        return (updates.ToChatResponse().Text, updates[0].AdditionalProperties!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_429_moves_to_the_next_personality_which_serves_and_the_first_cools_down(bool stream)
    {
        // Mistral's 429 is a plain request rate limit (groq's recorded 429 is a tokens-per-day quota, which does not cool down).
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(20)));
        using var chain = new FallbackChatClient([fixture.Pipeline("mistral", "mistral-small-latest"), fixture.Pipeline("openai", "gpt-4o-mini")]);
        Assert.IsAssignableFrom<FailoverChatClient>(chain);
        int mistralBefore = RequestsTo("mistral"), openaiBefore = RequestsTo("openai");

        var (text, tags) = await AskAsync(chain, "hello from the fallback test", stream);

        Assert.Contains("hello from the fallback test", text);
        Assert.Equal("openai", tags[FallbackChatClient.ProviderKey]);
        Assert.Equal("gpt-4o-mini", tags[FallbackChatClient.ModelKey]);
        Assert.Equal(2, tags[FallbackChatClient.AttemptsKey]);
        Assert.Equal(mistralBefore + 1, RequestsTo("mistral"));
        Assert.Equal(openaiBefore + 1, RequestsTo("openai"));

        // mistral said Retry-After: 20 s, so the next request goes straight to openai without touching mistral.
        var (_, nextTags) = await AskAsync(chain, "second request", stream);
        Assert.Equal("openai", nextTags[FallbackChatClient.ProviderKey]);
        Assert.Equal(1, nextTags[FallbackChatClient.AttemptsKey]);
        Assert.Equal(mistralBefore + 1, RequestsTo("mistral"));
        Assert.Equal(openaiBefore + 2, RequestsTo("openai"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task When_every_personality_fails_the_error_lists_each_attempt(bool stream)
    {
        fixture.Emulator.EnqueueFault("groq", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(20)));
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(503));
        using var chain = new FallbackChatClient([fixture.Pipeline("groq", "llama-3.3-70b-versatile"), fixture.Pipeline("mistral", "mistral-small-latest")]);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => AskAsync(chain, "hello", stream));

        Assert.Equal("fallback", ex.ProviderName);
        Assert.Equal(["groq", "mistral"], ex.Attempts.Select(static a => a.ProviderName));
        Assert.Equal(ProviderErrorKind.QuotaExceeded, ex.Attempts[0].Kind);
        Assert.Equal(TimeSpan.FromSeconds(20), ex.Attempts[0].RetryAfter);
        Assert.Equal(503, ex.Attempts[1].StatusCode);
    }
}
