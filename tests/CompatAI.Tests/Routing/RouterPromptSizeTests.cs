using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Routing;

/// <summary>
/// How a router measures the prompt: the context-window filter first bounds it by its UTF-8 size and tokenizes only when
/// that bound does not fit, so a prompt whose size exceeds a small window but whose tokens fit is still routed there, and
/// one whose tokens do not fit is left out with the tokenized count; costs are estimated from the size (bytes / 4).
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class RouterPromptSizeTests(EmulatorFixture fixture)
{
    // " hello" is one o200k token of 6 bytes: 400 of them are about 400 tokens and 2,400 bytes.
    private static readonly string s_prompt = "hello" + string.Concat(Enumerable.Repeat(" hello", 399));

    private static readonly TokenCounter s_o200k = TokenCounter.ForModel("gpt-4o");

    private int RequestsTo(string personality) => fixture.Emulator.Requests.Count(r => r.Personality == personality);

    // mistral first by quality, with the window given; openai after it, with no window known.
    private RouterChatClient Router(int mistralWindow, RoutingStrategy strategy = RoutingStrategy.Quality) => new(
        [
            new RouteCandidate(fixture.Pipeline("mistral", "mistral-small-latest")) { Quality = 1, Capabilities = new ModelCapabilities { ContextWindow = mistralWindow } },
            new RouteCandidate(fixture.Pipeline("openai", "gpt-4o-mini")) { Quality = 0.5, Capabilities = new ModelCapabilities { ContextWindow = 1_000_000 } },
        ],
        new RouterOptions { Strategy = strategy });

    [Fact]
    public async Task A_prompt_larger_in_bytes_than_a_window_but_smaller_in_tokens_still_goes_there()
    {
        List<ChatMessage> messages = [new(ChatRole.User, s_prompt)];
        var options = new ChatOptions { MaxOutputTokens = 10 };

        // The premise: the tokens fit a 1,000-token window, the bytes do not.
        Assert.InRange(s_o200k.CountChat(messages).Tokens + 10, 300, 600);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(s_prompt) > 1_000);

        using var router = Router(mistralWindow: 1_000);
        Assert.Empty(router.Decide(messages, options).Excluded);
        int before = RequestsTo("mistral");
        var response = await router.GetResponseAsync(messages, options);
        Assert.Equal("mistral", response.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(before + 1, RequestsTo("mistral"));
    }

    [Fact]
    public async Task A_prompt_whose_tokens_do_not_fit_is_left_out_with_the_tokenized_count_and_never_sent_there()
    {
        List<ChatMessage> messages = [new(ChatRole.User, s_prompt)];
        var options = new ChatOptions { MaxOutputTokens = 10 };
        int tokens = s_o200k.CountChat(messages).Tokens;
        Assert.True(tokens + 10 > 200);

        using var router = Router(mistralWindow: 200);
        var decision = router.Decide(messages, options);
        var excluded = Assert.Single(decision.Excluded);
        Assert.Equal("mistral", excluded.Name);
        Assert.Equal($"context window 200 < {tokens + 10} (prompt + expected output)", excluded.Reason);
        Assert.Equal(tokens, decision.Requirements.PromptTokens);

        int before = RequestsTo("mistral");
        var response = await router.GetResponseAsync(messages, options);
        Assert.Equal("openai", response.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(before, RequestsTo("mistral"));
    }

    [Fact]
    public void A_prompt_that_fits_no_window_fails_before_sending_with_every_reason()
    {
        List<ChatMessage> messages = [new(ChatRole.User, s_prompt)];
        int tokens = s_o200k.CountChat(messages).Tokens;
        using var router = new RouterChatClient(
            [new RouteCandidate(fixture.Pipeline("mistral", "mistral-small-latest")) { Capabilities = new ModelCapabilities { ContextWindow = 100 } }],
            new RouterOptions { Strategy = RoutingStrategy.RoundRobin });

        var error = Assert.Throws<NoEligibleRouteException>(() => router.Decide(messages, new ChatOptions { MaxOutputTokens = 1 }));
        Assert.Equal($"context window 100 < {tokens + 1} (prompt + expected output)", Assert.Single(error.Excluded).Reason);
    }

    [Fact]
    public void The_cost_is_estimated_from_the_prompts_size_and_the_requirements_still_show_its_tokens()
    {
        var prices = new PriceTable([new ModelPrice { Provider = "mistral", Model = "mistral-small-latest", Input = 2m, Output = 1m }]);
        using var router = new RouterChatClient(
            [new RouteCandidate(fixture.Pipeline("mistral", "mistral-small-latest"))],
            new RouterOptions { Strategy = RoutingStrategy.Cost, Prices = prices });
        List<ChatMessage> messages = [new(ChatRole.User, s_prompt)];

        var decision = router.Decide(messages, new ChatOptions { MaxOutputTokens = 100 });

        // 3 priming + 3 + "user" (1) + 2,399 bytes / 4 rounded up (600) at 2 per million, plus 100 output at 1 per million.
        int estimate = 3 + 3 + 1 + 600;
        Assert.Equal(2_399, System.Text.Encoding.UTF8.GetByteCount(s_prompt));
        Assert.Equal((double)(((estimate * 2m) + (100 * 1m)) / 1_000_000m), decision.Ranked[0].Score, 15);
        Assert.Equal(s_o200k.CountChat(messages).Tokens, decision.Requirements.PromptTokens);
    }
}
