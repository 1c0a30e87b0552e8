using System.Text.Json.Nodes;
using CompatAI.Tests.Integration;

namespace CompatAI.Tests.Moderation;

/// <summary><see cref="CompatModerationClient"/> against the OpenAI and Mistral emulator personalities on loopback: two answer shapes, one result type.</summary>
public sealed class CompatModerationClientTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private CompatModerationClient Client(string personality) => new(new CompatModerationClientOptions
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Retry = { MaxRetries = 0 },
    });

    [Fact]
    public async Task OpenAI_verdicts_carry_its_flagged_field_categories_and_scores()
    {
        var marker = Guid.NewGuid().ToString("N");

        var verdicts = await Client("openai").ModerateAsync([$"I will kill the process {marker}", $"Nice weather {marker}"]);

        Assert.True(verdicts[0].Flagged);
        Assert.Equal(["violence"], verdicts[0].FlaggedCategories);
        Assert.Equal(0.9, verdicts[0].CategoryScores["violence"]);
        Assert.False(verdicts[1].Flagged);
        Assert.Contains("violence/graphic", verdicts[1].Categories.Keys);
        var body = JsonNode.Parse(Assert.Single(fixture.Emulator.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal)).Body)!;
        Assert.Equal("omni-moderation-latest", body["model"]!.GetValue<string>());
        Assert.Equal(2, body["input"]!.AsArray().Count);
    }

    [Fact]
    public async Task Mistral_verdicts_without_a_flagged_field_are_flagged_when_any_category_is_set()
    {
        var client = Client("mistral");

        var hateful = await client.ModerateAsync("I hate this " + Guid.NewGuid().ToString("N"));
        var harmless = await client.ModerateAsync("A calm sentence " + Guid.NewGuid().ToString("N"));

        Assert.True(hateful.Flagged);
        Assert.Equal(["hate_and_discrimination"], hateful.FlaggedCategories);
        Assert.Equal(0.9, hateful.CategoryScores["hate_and_discrimination"]);
        Assert.False(harmless.Flagged);
        Assert.Contains("pii", harmless.Categories.Keys);
    }

    [Fact]
    public void A_provider_without_moderation_is_a_NotSupportedException_before_any_request()
    {
        var before = fixture.Emulator.Requests.Count;

        var error = Assert.Throws<NotSupportedException>(() => Client("groq"));

        Assert.Contains("'groq' has no moderation endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("openai", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Emulator.Requests.Count);
    }

    [Fact]
    public async Task Provider_failures_are_ProviderExceptions()
    {
        fixture.Emulator.EnqueueFault("mistral", CompatAI.Emulator.EmulatorFault.WithStatus(401));

        var error = await Assert.ThrowsAsync<ProviderException>(() => Client("mistral").ModerateAsync("anything"));

        Assert.Equal(ProviderErrorKind.Authentication, error.Kind);
    }

    [Fact]
    public async Task An_empty_input_list_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Client("openai").ModerateAsync(Array.Empty<string>()));

        Assert.Equal("inputs", error.ParamName);
    }
}
