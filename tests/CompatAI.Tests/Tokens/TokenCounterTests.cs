using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Tokens;

/// <summary>
/// <see cref="TokenCounter"/> against the counts OpenAI publishes in its cookbook notebook "How to count tokens with
/// tiktoken" (openai/openai-cookbook, examples/How_to_count_tokens_with_tiktoken.ipynb): the encode examples, the
/// encoding comparison, the chat example (counts confirmed there by the API's usage.prompt_tokens) and the tools example.
/// </summary>
public sealed class TokenCounterTests
{
    [Theory]
    // Section 3: num_tokens_from_string("tiktoken is great!", ...) = 6 with cl100k_base (older revision) and o200k_base.
    [InlineData("gpt-4", "cl100k_base", "tiktoken is great!", 6)]
    [InlineData("gpt-4o-mini", "o200k_base", "tiktoken is great!", 6)]
    // Section 5: compare_encodings.
    [InlineData("gpt-3.5-turbo", "cl100k_base", "antidisestablishmentarianism", 6)]
    [InlineData("gpt-4o", "o200k_base", "antidisestablishmentarianism", 6)]
    [InlineData("gpt-4", "cl100k_base", "2 + 2 = 4", 7)]
    [InlineData("gpt-4o", "o200k_base", "2 + 2 = 4", 7)]
    [InlineData("gpt-4", "cl100k_base", "お誕生日おめでとう", 9)]
    [InlineData("gpt-4o", "o200k_base", "お誕生日おめでとう", 8)]
    public void Text_counts_match_the_published_examples(string model, string encoding, string text, int expected)
    {
        var counter = TokenCounter.ForModel(model);

        var count = counter.CountText(text);

        Assert.Equal(new TokenCount(expected, IsEstimate: false, encoding), count);
    }

    [Fact]
    public void A_long_text_counted_again_and_an_equal_copy_give_the_published_multiple()
    {
        // Long texts are remembered per string instance; a repeated one, and an equal string that is another
        // instance, must count exactly like the first: 50 times the published 6 of "tiktoken is great!" plus the
        // spaces joining them (one token each in o200k_base: " tiktoken" is not one token, so the joiner is counted
        // from the text with a single example, 6, and the doubled one, 13).
        var counter = TokenCounter.ForModel("gpt-4o-mini");
        var once = counter.CountText("tiktoken is great!").Tokens;
        var twice = counter.CountText("tiktoken is great! tiktoken is great!").Tokens;
        var joined = string.Join(' ', Enumerable.Repeat("tiktoken is great!", 50));
        var expected = once + (twice - once) * 49;

        Assert.True(joined.Length > 256);
        Assert.Equal(expected, counter.CountText(joined).Tokens);
        Assert.Equal(expected, counter.CountText(joined).Tokens);
        Assert.Equal(expected, counter.CountText(new string(joined.AsSpan())).Tokens);
    }

    private static List<ChatMessage> CookbookChatExample() =>
    [
        new(ChatRole.System, "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
        new(ChatRole.System, "New synergies will help drive top-line growth.") { AuthorName = "example_user" },
        new(ChatRole.System, "Things working well together will increase revenue.") { AuthorName = "example_assistant" },
        new(ChatRole.System, "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.") { AuthorName = "example_user" },
        new(ChatRole.System, "Let's talk later when we're less busy about how to do better.") { AuthorName = "example_assistant" },
        new(ChatRole.User, "This late pivot means we don't have time to boil the ocean for the client deliverable."),
    ];

    [Theory]
    // Section 6: "129 prompt tokens counted by the OpenAI API" (gpt-3.5-turbo, gpt-4-0613, gpt-4); 124 for gpt-4o and gpt-4o-mini.
    [InlineData("gpt-3.5-turbo", 129)]
    [InlineData("gpt-4-0613", 129)]
    [InlineData("gpt-4", 129)]
    [InlineData("gpt-4o", 124)]
    [InlineData("gpt-4o-mini", 124)]
    public void Chat_counts_match_the_published_api_counts(string model, int expected)
    {
        var count = TokenCounter.ForModel(model).CountChat(CookbookChatExample());

        Assert.Equal(expected, count.Tokens);
        Assert.False(count.IsEstimate);
    }

    [Theory]
    // Section 7: "105 prompt tokens counted by the OpenAI API" (gpt-3.5-turbo, gpt-4); 101 for gpt-4o and gpt-4o-mini.
    [InlineData("gpt-3.5-turbo", 105)]
    [InlineData("gpt-4", 105)]
    [InlineData("gpt-4o", 101)]
    [InlineData("gpt-4o-mini", 101)]
    public void Tool_definitions_count_as_the_published_api_counts(string model, int expected)
    {
        var schema = JsonDocument.Parse("""
            {
              "type": "object",
              "properties": {
                "location": { "type": "string", "description": "The city and state, e.g. San Francisco, CA" },
                "unit": { "type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"] }
              },
              "required": ["location"]
            }
            """).RootElement;
        var options = new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("get_current_weather", "Get the current weather in a given location", schema)] };
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You are a helpful assistant that can answer to questions about the weather."),
            new(ChatRole.User, "What's the weather like in San Francisco?"),
        ];

        var count = TokenCounter.ForModel(model).CountChat(messages, options);

        Assert.Equal(expected, count.Tokens);
        Assert.False(count.IsEstimate);
    }

    [Theory]
    [InlineData("openai/gpt-4o", "o200k_base", true)]
    [InlineData("gpt-4.1-mini", "o200k_base", true)]
    [InlineData("o3-mini", "o200k_base", true)]
    [InlineData("gpt-5", "o200k_base", true)]
    [InlineData("gpt-4-turbo", "cl100k_base", true)]
    [InlineData("llama-3.3-70b-versatile", "o200k_base", false)]
    [InlineData("deepseek-chat", "o200k_base", false)]
    [InlineData("mistral-small-latest", "o200k_base", false)]
    public void The_encoding_is_chosen_per_model_and_other_families_are_estimates(string model, string encoding, bool exact)
    {
        var counter = TokenCounter.ForModel(model);

        Assert.Equal(encoding, counter.Encoding);
        Assert.Equal(exact, counter.IsExact);
        Assert.Equal(!exact, counter.CountText("tiktoken is great!").IsEstimate);
    }

    [Fact]
    public void An_image_whose_size_cannot_be_read_is_an_estimate_at_four_high_detail_tiles()
    {
        var counter = TokenCounter.ForModel("gpt-4o");
        List<ChatMessage> plain = [new(ChatRole.User, "Look at this.")];
        List<ChatMessage> withImage = [new(ChatRole.User, [new TextContent("Look at this."), new DataContent(new byte[] { 1, 2, 3 }, "image/png")])];

        var text = counter.CountChat(plain);
        var image = counter.CountChat(withImage);

        Assert.False(text.IsEstimate);
        Assert.True(image.IsEstimate);
        Assert.Equal(text.Tokens + 85 + (4 * 170), image.Tokens);
    }

    [Fact]
    public void An_empty_model_id_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => TokenCounter.ForModel(" "));

        Assert.Equal("modelId", error.ParamName);
    }
}
