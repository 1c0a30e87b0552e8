using System.Text.Json.Nodes;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.ImageMarkers;

[Collection(EmulatorCollection.Name)]
public sealed class ImageMarkerChatClientTests(EmulatorFixture fixture)
{
    private const string Png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    private IChatClient Client(string personality, string model) => CompatChatClient.CreateBuilder(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    }).UseImageMarkers().Build();

    [Fact]
    public async Task Markers_in_user_text_reach_the_wire_as_image_parts_between_the_text()
    {
        using var client = Client("openai", "gpt-4o-mini");
        fixture.Emulator.ClearRequests();

        await client.GetResponseAsync($"Compare [IMAGE:{Png}] with [IMAGE:https://example.test/cat.jpg] please.");

        var parts = JsonNode.Parse(Assert.Single(fixture.Emulator.Requests).Body)!["messages"]![0]!["content"]!.AsArray();
        Assert.Equal(["text", "image_url", "text", "image_url", "text"], parts.Select(p => (string?)p!["type"]));
        Assert.Equal("Compare", (string?)parts[0]!["text"]);
        Assert.Equal(Png, (string?)parts[1]!["image_url"]!["url"]);
        Assert.Equal("https://example.test/cat.jpg", (string?)parts[3]!["image_url"]!["url"]);
        Assert.Equal("please.", (string?)parts[4]!["text"]);
    }

    [Fact]
    public async Task Text_without_markers_and_other_roles_pass_through_unchanged()
    {
        using var inner = new Support.FakeChatClient();
        using var client = new ImageMarkerChatClient(inner, ProviderCatalog.Default.Get("openai"));
        List<ChatMessage> messages = [new(ChatRole.System, $"Never parse [IMAGE:{Png}] here."), new(ChatRole.User, "No images.")];

        await client.GetResponseAsync(messages);

        var sent = Assert.Single(inner.Calls).Messages;
        Assert.Equal(2, sent.Count);
        Assert.Same(messages[0], sent[0]);
        Assert.Same(messages[1], sent[1]);
        Assert.IsType<TextContent>(Assert.Single(sent[0].Contents));
    }

    [Fact]
    public async Task An_image_for_a_model_without_image_input_fails_before_any_request()
    {
        using var client = Client("deepseek", "deepseek-chat");
        fixture.Emulator.ClearRequests();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync($"What is this? [IMAGE:{Png}]"));

        Assert.Contains("deepseek", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no image input", ex.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Emulator.Requests);
    }

    [Fact]
    public async Task A_marker_with_broken_base64_is_an_error_naming_it()
    {
        using var client = Client("openai", "gpt-4o-mini");
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("See [IMAGE:data:image/png;base64,abcde] here."));
        Assert.Contains("base64", ex.Message, StringComparison.Ordinal);
    }
}
