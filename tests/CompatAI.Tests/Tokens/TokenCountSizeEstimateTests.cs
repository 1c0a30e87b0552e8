using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Tokens;

/// <summary>
/// The estimate routing prices a prompt with, made without the tokenizer: the chat rule of <see cref="TokenCounter.CountChat"/>
/// with every text as its UTF-8 bytes / 4, rounded up.
/// </summary>
public sealed class TokenCountSizeEstimateTests
{
    [Fact]
    public void Each_text_counts_its_utf8_bytes_over_four_rounded_up_and_the_chat_overhead_is_the_counts()
    {
        var counter = TokenCounter.ForModel("gpt-4o");

        // 3 priming the reply; per message 3 plus the role ("system" and "user" are one token each in o200k_base).
        // "abcde" is 5 bytes: 2. "Straße!" is 8 bytes (ß takes two): 2. "お誕生日" is 12 bytes: 3.
        List<ChatMessage> messages = [new(ChatRole.System, "abcde"), new(ChatRole.User, "Straße!"), new(ChatRole.User, "お誕生日")];

        Assert.Equal(3 + (3 + 1 + 2) + (3 + 1 + 2) + (3 + 1 + 3), counter.EstimateChatFromSize(messages));
    }

    [Fact]
    public void An_author_name_costs_one_more_than_its_size_and_an_empty_text_nothing()
    {
        var counter = TokenCounter.ForModel("gpt-4o");
        List<ChatMessage> messages = [new(ChatRole.User, string.Empty) { AuthorName = "alice" }];

        // 3 priming + 3 + "user" (1) + "alice" (5 bytes: 2) + 1 for the name.
        Assert.Equal(3 + 3 + 1 + 2 + 1, counter.EstimateChatFromSize(messages));
    }
}
