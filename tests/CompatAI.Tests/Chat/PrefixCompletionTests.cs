using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Chat;

/// <summary>
/// Prefix completion (<see cref="CompatChatMessageExtensions.AsPrefix"/>) through <see cref="CompatChatClient.Create"/>
/// against the DeepSeek and Mistral emulator personalities on loopback: DeepSeek's beta path, Mistral's normal path, and
/// the errors raised before any request.
/// </summary>
public sealed class PrefixCompletionTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private static List<ChatMessage> Conversation(string marker) =>
    [
        new(ChatRole.System, "You write Python."),
        new(ChatRole.User, $"Write quick sort {marker}"),
        new ChatMessage(ChatRole.Assistant, "```python\ndef").AsPrefix(),
    ];

    private JsonObject RequestBody(string marker, string expectedPath)
    {
        var request = Assert.Single(fixture.Emulator.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal));
        Assert.Equal(expectedPath, request.Path);
        return JsonNode.Parse(request.Body)!.AsObject();
    }

    private static void AssertPrefixLast(JsonObject body)
    {
        var messages = body["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant"], messages.Select(m => m!["role"]!.GetValue<string>()));
        var last = messages[^1]!.AsObject();
        Assert.True(last["prefix"]!.GetValue<bool>());
        Assert.Equal("```python\ndef", last["content"]!.GetValue<string>());
        Assert.All(messages.Take(2), m => Assert.False(m!.AsObject().ContainsKey("prefix")));
    }

    [Fact]
    public async Task DeepSeek_prefix_goes_to_the_beta_path_with_prefix_true_on_the_last_message()
    {
        var marker = Guid.NewGuid().ToString("N");
        var client = fixture.Pipeline("deepseek", "deepseek-chat");

        var response = await client.GetResponseAsync(Conversation(marker), new ChatOptions { Temperature = 0.2f });

        Assert.Equal(" continues 'def'", response.Text);
        AssertPrefixLast(RequestBody(marker, "/deepseek/v1/beta/chat/completions"));
    }

    [Fact]
    public async Task DeepSeek_prefix_streams_from_the_beta_path()
    {
        var marker = Guid.NewGuid().ToString("N");
        var client = fixture.Pipeline("deepseek", "deepseek-chat");

        var text = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync(Conversation(marker)))
        {
            text.Append(update.Text);
        }

        Assert.Equal(" continues 'def'", text.ToString());
        var body = RequestBody(marker, "/deepseek/v1/beta/chat/completions");
        Assert.True(body["stream"]!.GetValue<bool>());
        AssertPrefixLast(body);
    }

    [Fact]
    public async Task DeepSeek_requests_without_a_prefix_stay_on_the_normal_path()
    {
        var marker = Guid.NewGuid().ToString("N");
        var client = fixture.Pipeline("deepseek", "deepseek-chat");

        await client.GetResponseAsync([new(ChatRole.User, $"Say \"prefix\":true {marker}"), new(ChatRole.Assistant, "Sure."), new(ChatRole.User, "Again")]);

        var body = RequestBody(marker, "/deepseek/v1/chat/completions");
        Assert.All(body["messages"]!.AsArray(), m => Assert.False(m!.AsObject().ContainsKey("prefix")));
    }

    [Fact]
    public async Task Mistral_prefix_goes_to_the_normal_path()
    {
        var marker = Guid.NewGuid().ToString("N");
        var client = fixture.Pipeline("mistral", "mistral-small-latest");

        var response = await client.GetResponseAsync(Conversation(marker));

        Assert.Equal(" continues 'def'", response.Text);
        AssertPrefixLast(RequestBody(marker, "/mistral/v1/chat/completions"));
    }

    [Fact]
    public async Task A_prefix_that_is_not_the_last_message_is_an_ArgumentException_before_any_request()
    {
        var marker = Guid.NewGuid().ToString("N");
        var client = fixture.Pipeline("deepseek", "deepseek-chat");
        List<ChatMessage> messages = [new(ChatRole.User, $"Hi {marker}"), new ChatMessage(ChatRole.Assistant, "Hello").AsPrefix(), new(ChatRole.User, "Go on")];

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(messages));

        Assert.Contains("messages[1] is a prefix message but is not the last message", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Emulator.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_provider_without_prefix_completion_is_an_ArgumentException_before_any_request()
    {
        var marker = Guid.NewGuid().ToString("N");
        var client = fixture.Pipeline("groq", "llama-3.3-70b-versatile");

        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Conversation(marker)))
            {
                Assert.Fail($"Unexpected update: {update.Text}");
            }
        });

        Assert.Contains("provider 'groq' has no prefix completion", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Emulator.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public void Only_assistant_messages_can_be_prefixes_and_the_original_is_not_changed()
    {
        var user = new ChatMessage(ChatRole.User, "Hi");
        var error = Assert.Throws<ArgumentException>(() => user.AsPrefix());
        Assert.Contains("role 'user'", error.Message, StringComparison.Ordinal);

        var assistant = new ChatMessage(ChatRole.Assistant, "Hello");
        var prefix = assistant.AsPrefix();
        Assert.True(prefix.IsPrefix());
        Assert.False(assistant.IsPrefix());
        Assert.Null(assistant.AdditionalProperties);
        Assert.Null(assistant.RawRepresentation);
    }

    [Theory]
    [InlineData("chat/completions", "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"def\",\"prefix\":true}]", "beta API")]
    [InlineData("beta/chat/completions", "[{\"role\":\"assistant\",\"content\":\"def\",\"prefix\":true},{\"role\":\"user\",\"content\":\"Hi\"}]", "only allowed on the last message")]
    public async Task The_DeepSeek_personality_enforces_its_prefix_rule(string route, string messages, string expected)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Emulator.GetEndpoint("deepseek"), route))
        {
            Content = new StringContent($"{{\"model\":\"deepseek-chat\",\"messages\":{messages}}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "emulator-key");

        using var response = await http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Contains(expected, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
    }
}
