using System.Text.Json.Nodes;
using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.ImageMarkers;

/// <summary>Image markers through the real pipeline to the emulator: what goes on the wire, and the vision check.</summary>
public sealed class ImageMarkerChatClientTests : IAsyncLifetime
{
    private const string Png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Markers_become_image_parts_in_order_with_the_text_around_them()
    {
        using var client = Builder("openai").UseImageMarkers().Build();
        var message = new ChatMessage(ChatRole.User, $"Compare [IMAGE:{Png}] with [IMAGE:https://example.com/cat.jpg] please");

        await client.GetResponseAsync([message]);

        var content = Assert.IsType<JsonArray>(SentMessages()[0]!["content"]);
        Assert.Equal(["text", "image_url", "text", "image_url", "text"], content.Select(p => (string)p!["type"]!));
        Assert.Equal("Compare", (string)content[0]!["text"]!);
        Assert.Equal(Png, (string)content[1]!["image_url"]!["url"]!);
        Assert.Equal("with", (string)content[2]!["text"]!);
        Assert.Equal("https://example.com/cat.jpg", (string)content[3]!["image_url"]!["url"]!);
        Assert.Equal("please", (string)content[4]!["text"]!);
        Assert.Single(message.Contents); // the caller's message is not changed
    }

    [Fact]
    public async Task Streaming_requests_are_rewritten_too_and_text_without_markers_is_left_alone()
    {
        using var client = Builder("openai").UseImageMarkers().Build();

        await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "[IMAGE:https://example.com/a.png]")]).ToListAsync();
        var streamed = Assert.IsType<JsonArray>(SentMessages()[0]!["content"]);
        Assert.Equal("image_url", (string)Assert.Single(streamed)!["type"]!);

        _emulator.ClearRequests();
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "no [IMAGE] here")]);
        Assert.Equal("no [IMAGE] here", (string)SentMessages()[0]!["content"]!);
    }

    [Fact]
    public async Task A_model_without_vision_input_fails_before_sending()
    {
        var profile = new ProviderProfile
        {
            Name = "textonly",
            BaseUrl = _emulator.GetEndpoint("openai"),
            RequiresApiKey = false,
            ModelRules = [new ModelRule { ModelPattern = "^text-", Quirks = new ProviderQuirks { SupportsVisionInput = false } }],
        };
        using var client = CompatChatClient.CreateBuilder(new CompatChatClientOptions
        {
            Catalog = ProviderCatalog.Default.With(profile),
            Provider = "textonly",
            Model = "text-model",
            Retry = { MaxRetries = 0 },
        }).UseImageMarkers().Build();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "see [IMAGE:https://example.com/a.png]")]));

        Assert.Equal("messages[0] contains an [IMAGE:...] marker, but model 'text-model' of provider 'textonly' has no vision input (profile SupportsVisionInput: false). Remove the marker or use a vision model.", error.Message);
        Assert.Empty(_emulator.Requests);
        var vision = await client.GetResponseAsync("plain text still works", new ChatOptions { ModelId = "text-model" });
        Assert.Equal("You said: plain text still works", vision.Text);
    }

    [Fact]
    public async Task A_marker_that_is_no_image_source_is_a_clear_error()
    {
        using var client = Builder("openai").UseImageMarkers().Build();

        var notUrl = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "[IMAGE:ftp://host/x.png]")]));
        var notImage = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "[IMAGE:data:text/plain;base64,aGk=]")]));

        Assert.StartsWith("messages[0] has an [IMAGE:...] marker whose source is neither a data: URI nor an http(s) URL: 'ftp://host/x.png'.", notUrl.Message);
        Assert.StartsWith("messages[0] has an [IMAGE:...] marker of media type 'text/plain'", notImage.Message);
        Assert.Empty(_emulator.Requests);
    }

    private ChatClientBuilder Builder(string personality) => CompatChatClient.CreateBuilder(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = _emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = "gpt-4o-mini",
        Retry = { MaxRetries = 0 },
    });

    private JsonArray SentMessages() =>
        JsonNode.Parse(_emulator.Requests.Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Body)!["messages"]!.AsArray();
}
