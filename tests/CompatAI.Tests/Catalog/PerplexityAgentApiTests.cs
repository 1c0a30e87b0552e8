using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;

namespace CompatAI.Tests.Catalog;

/// <summary>
/// Perplexity after Sonar Chat Completions ended (2026-09-27): its default model goes straight to the Agent API's
/// <c>/v1/responses</c>, and the old Sonar ids fail early at Perplexity's own host naming the replacement (issue 16).
/// The emulator's perplexity personality stands in for the Agent API by serving only the Responses API.
/// </summary>
public sealed class PerplexityAgentApiTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        var options = new ProviderEmulatorOptions { Host = "127.0.0.1" };
        options.ResponsesOnly.Add("perplexity");
        _emulator = await ProviderEmulator.StartAsync(options);
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    /// <summary>The built-in catalog with Perplexity's documented URL moved to the emulator, so that it is "Perplexity's host".</summary>
    private ProviderCatalog AtPerplexityHost() =>
        ProviderCatalog.Default.WithOverrides(new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>("Catalog:perplexity:BaseUrl", _emulator.GetEndpoint("perplexity").AbsoluteUri)])
            .Build().GetSection("Catalog"));

    private IChatClient Client(string? model = null) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = "perplexity",
        Catalog = AtPerplexityHost(),
        ApiKey = "pplx-test",
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    private string[] Paths() => [.. _emulator.Requests.Select(static r => r.Path[(r.Path.IndexOf("/v1/", StringComparison.Ordinal) + 4)..])];

    [Fact]
    public void The_profile_defaults_to_the_agent_api_model_under_v1()
    {
        var profile = ProviderCatalog.Default.Get("perplexity");
        Assert.Equal("perplexity/sonar", profile.DefaultModel);
        Assert.Equal(new Uri("https://api.perplexity.ai/v1"), profile.BaseUrl);
        Assert.True(profile.GetQuirks("perplexity/sonar").ResponsesApiOnly);
        Assert.NotEqual(true, profile.GetQuirks("sonar").ResponsesApiOnly);
    }

    [Fact]
    public async Task The_default_model_is_sent_to_responses_without_trying_chat_completions_first()
    {
        using var client = Client();

        var response = await client.GetResponseAsync("Say hello.");

        Assert.Equal("You said: Say hello.", response.Text);
        Assert.Equal(["responses"], Paths());
    }

    [Fact]
    public async Task A_stream_of_the_default_model_is_the_responses_event_stream()
    {
        using var client = Client();

        var updates = await client.GetStreamingResponseAsync("Tell me a story.").ToListAsync();

        Assert.True(updates.Count > 2);
        Assert.Equal("You said: Tell me a story.", updates.ToChatResponse().Text);
        Assert.Equal(["responses"], Paths());
    }

    [Theory]
    [InlineData("sonar")]
    [InlineData("sonar-pro")]
    [InlineData("sonar-reasoning-pro")]
    public async Task A_retired_sonar_id_fails_before_any_request_naming_the_agent_api_model(string model)
    {
        using var client = Client(model);

        var ex = await Assert.ThrowsAsync<ModelRetiredException>(() => client.GetResponseAsync("hi"));

        Assert.Empty(_emulator.Requests);
        Assert.Equal("perplexity/sonar", ex.Replacement);
        Assert.Equal(new DateOnly(2026, 9, 27), ex.Shutdown);
    }
}
