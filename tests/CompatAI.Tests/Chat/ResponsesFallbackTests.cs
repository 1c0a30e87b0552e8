using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Chat;

/// <summary>
/// A provider that serves only the Responses API: <c>/chat/completions</c> answers 404, so the request goes to
/// <c>/responses</c> through Microsoft.Extensions.AI.OpenAI's Responses client, and the model is remembered. On the
/// emulator over loopback, non-streaming, streaming and a tool loop; and not for a profile that rules it out.
/// </summary>
public sealed class ResponsesFallbackTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        var options = new ProviderEmulatorOptions();
        options.ResponsesOnly.Add("openai");
        _emulator = await ProviderEmulator.StartAsync(options);
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private ChatClientBuilder Builder(string provider = "openai", ProviderCatalog? catalog = null) => CompatChatClient.CreateBuilder(new CompatChatClientOptions
    {
        Provider = provider,
        Catalog = catalog,
        Endpoint = _emulator.GetEndpoint("openai"),
        ApiKey = "emulator-key",
        Model = "gpt-4o-mini",
        Retry = { MaxRetries = 0 },
    });

    private string[] Paths() => [.. _emulator.Requests.Select(static r => r.Path[(r.Path.IndexOf("/v1/", StringComparison.Ordinal) + 4)..])];

    [Fact]
    public async Task A_404_from_chat_completions_sends_the_request_to_responses_and_the_model_is_remembered()
    {
        using var client = Builder().Build();

        var first = await client.GetResponseAsync("Say hello.");
        var second = await client.GetResponseAsync("Say hello again.");

        Assert.Equal("You said: Say hello.", first.Text);
        Assert.Equal("You said: Say hello again.", second.Text);
        Assert.True(first.Usage?.TotalTokenCount > 0);
        Assert.Equal(["chat/completions", "responses", "responses"], Paths());
    }

    [Fact]
    public async Task A_stream_falls_back_to_the_responses_event_stream()
    {
        using var client = Builder().Build();

        var updates = await client.GetStreamingResponseAsync("Tell me a story.").ToListAsync();

        Assert.True(updates.Count > 2);
        Assert.Equal("You said: Tell me a story.", updates.ToChatResponse().Text);
        Assert.Equal(["chat/completions", "responses"], Paths());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_tool_loop_runs_over_the_responses_fallback(bool streaming)
    {
        var invoked = new List<string>();
        var weather = AIFunctionFactory.Create((string city) => { invoked.Add(city!); return $"sunny in {city}"; }, "get_weather", "Gets the weather of a city.");
        using var client = Builder().UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [weather] };

        var response = streaming
            ? await client.GetStreamingResponseAsync("Use get_weather for Paris.", options).ToChatResponseAsync()
            : await client.GetResponseAsync("Use get_weather for Paris.", options);

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.Equal([call.Arguments!["city"]!.ToString()!], invoked);
        Assert.StartsWith("Tool results:", response.Text, StringComparison.Ordinal);
        Assert.Contains("sunny in", response.Text, StringComparison.Ordinal);
        Assert.Equal(["chat/completions", "responses", "responses"], Paths());
    }

    [Fact]
    public async Task A_profile_without_the_responses_api_gets_the_404()
    {
        var profile = new ProviderProfile { Name = "glm-like", DefaultModel = "gpt-4o-mini", Quirks = new ProviderQuirks { SupportsResponsesApi = false }, Sources = ["test"] };
        using var client = Builder("glm-like", ProviderCatalog.Default.With(profile)).Build();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("Say hello."));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal(["chat/completions"], Paths());
    }

    [Fact]
    public async Task A_prefix_request_keeps_its_404_instead_of_losing_the_prefix_on_the_responses_api()
    {
        var profile = new ProviderProfile { Name = "prefix-like", DefaultModel = "gpt-4o-mini", PrefixCompletion = new PrefixCompletionProfile(), Sources = ["test"] };
        using var client = Builder("prefix-like", ProviderCatalog.Default.With(profile)).Build();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync([new(ChatRole.User, "Write a sort."), new ChatMessage(ChatRole.Assistant, "def").AsPrefix()]));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal(["chat/completions"], Paths());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Once_a_model_is_served_through_responses_a_prefix_request_fails_before_any_request(bool streaming)
    {
        var profile = new ProviderProfile { Name = "prefix-like", DefaultModel = "gpt-4o-mini", PrefixCompletion = new PrefixCompletionProfile(), Sources = ["test"] };
        using var client = Builder("prefix-like", ProviderCatalog.Default.With(profile)).Build();
        await client.GetResponseAsync("Say hello.");
        List<ChatMessage> prefixed = [new(ChatRole.User, "Write a sort."), new ChatMessage(ChatRole.Assistant, "def").AsPrefix()];

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            if (streaming)
            {
                await foreach (var update in client.GetStreamingResponseAsync(prefixed))
                {
                    Assert.Fail($"Unexpected update: {update.Text}");
                }
            }
            else
            {
                await client.GetResponseAsync(prefixed);
            }
        });

        Assert.Contains("served only through the Responses API", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no prefix completion", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["chat/completions", "responses"], Paths());
    }
}
