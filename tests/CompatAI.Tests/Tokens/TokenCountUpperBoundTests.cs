using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Tokens;

/// <summary>
/// The bound the context-window check uses to skip the tokenizer: a prompt's UTF-8 size (plus the chat format's
/// overhead) must never be below its count, or a prompt over the window would be let through unchecked.
/// </summary>
public sealed class TokenCountUpperBoundTests
{
    // Pieces that tokenize in very different ways: ASCII words and spaces, digits, punctuation runs, CJK, emoji
    // (surrogate pairs), combining marks, a special-token lookalike and long repeats.
    private static readonly string[] s_pieces =
    [
        "hello", " world", "  ", "\n", "12345", "!!!", "お誕生日", "🙂", "e\u0301", "<|endoftext|>", "Straße", "ab", new string('a', 300),
        "的", "\t", "\u00a0", "https://example.com/a?b=c", "{\"k\":[1,2]}",
    ];

    [Theory]
    [InlineData("gpt-4o-mini")]
    [InlineData("gpt-4")]
    [InlineData("llama-3.3-70b-versatile")]
    public void The_bound_is_never_below_the_count(string model)
    {
        var counter = TokenCounter.ForModel(model);
        var texts = Gen.ListOf(Gen.Elements(s_pieces)).Select(static pieces => string.Concat(pieces));
        var conversations = Gen.ListOf(texts).Select(static list => list.Select((text, i) => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, text)).ToList());

        var property = Prop.ForAll(conversations.ToArbitrary(), messages =>
        {
            var exact = counter.CountChat(messages).Tokens;
            var bound = counter.CountChatUpperBound(messages);
            Assert.True(bound >= exact, $"bound {bound} < count {exact} for {messages.Count} messages");
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void Tool_definitions_and_calls_are_bounded_too()
    {
        var counter = TokenCounter.ForModel("gpt-4o");
        var tool = AIFunctionFactory.Create((string city, int days) => "sunny", "get_forecast", "Gets the forecast for a city.");
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "Weather in Paris for 3 days?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_forecast", new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 3 })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
        ];
        var options = new ChatOptions { Tools = [tool] };

        Assert.True(counter.CountChatUpperBound(messages, options) >= counter.CountChat(messages, options).Tokens);
    }
}
