using System.Text.Json.Nodes;
using CompatAI;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Catalog;

/// <summary>The defaults a caller gets by naming only a provider must be models that still answer (issue 16).</summary>
public sealed class CurrentDefaultsTests
{
    private static readonly string s_ok = Fixtures.Text("deepseek-reasoner-nonstream.json");

    [Theory]
    [InlineData("groq", "openai/gpt-oss-120b")]
    [InlineData("deepseek", "deepseek-flash")]
    [InlineData("xai", "grok-4.3")]
    [InlineData("minimax", "MiniMax-M2.7")]
    [InlineData("gemini", "gemini-3.5-flash")]
    [InlineData("cloudflare", "@cf/meta/llama-3.3-70b-instruct-fp8-fast")]
    public void Default_model_replaces_the_one_that_stopped_working(string provider, string expected) =>
        Assert.Equal(expected, ProviderCatalog.Default.Get(provider).DefaultModel);

    [Fact]
    public void No_default_model_is_one_its_own_catalog_calls_retired_or_deprecated()
    {
        foreach (var profile in ProviderCatalog.Default.Profiles)
        {
            var status = profile.FindModel(profile.DefaultModel)?.Status;
            Assert.True(status is null or ModelStatus.Current or ModelStatus.Unclear, $"'{profile.Name}' defaults to '{profile.DefaultModel}', which it calls {status}.");
            var completionsStatus = profile.FindModel(profile.Completions?.DefaultModel)?.Status;
            Assert.True(completionsStatus is null or ModelStatus.Current or ModelStatus.Unclear, $"'{profile.Name}' completions default to a {completionsStatus} model.");
        }
    }

    [Fact]
    public void Every_retired_entry_names_a_replacement_the_catalog_knows_as_usable()
    {
        foreach (var profile in ProviderCatalog.Default.Profiles)
        {
            foreach (var model in profile.Models.Where(m => m.Status == ModelStatus.Retired))
            {
                Assert.False(string.IsNullOrWhiteSpace(model.Replacement), $"Retired '{model.Id}' of '{profile.Name}' names no replacement.");
                var replacement = profile.FindModel(model.Replacement);
                Assert.True(replacement is { Status: ModelStatus.Current or ModelStatus.Unclear }, $"'{model.Replacement}' (replacing '{model.Id}' at '{profile.Name}') is not a current catalog entry.");
                Assert.NotEmpty(model.Sources);
            }
        }
    }

    [Theory]
    [InlineData("deepseek-flash")]
    [InlineData("deepseek-v4-flash")]
    [InlineData("deepseek-v4-pro")]
    public void DeepSeek_v4_thinks_by_default_so_its_replay_rule_applies(string model)
    {
        var quirks = ProviderCatalog.Default.Get("deepseek").GetQuirks(model);
        Assert.Equal(ReasoningReplay.Required, quirks.ReasoningReplay);
        Assert.Equal(1_000_000, ProviderCatalog.Default.Get("deepseek").GetContextWindow(model));
    }

    [Fact]
    public void DeepSeek_v4_flash_is_a_legacy_name_for_deepseek_flash()
    {
        var model = ProviderCatalog.Default.Get("deepseek").FindModel("deepseek-v4-flash")!;
        Assert.Equal(ModelStatus.Deprecated, model.Status);
        Assert.Equal("deepseek-flash", model.Replacement);
    }

    public static TheoryData<string> ThinkingSwitchShapes() => ["dictionary", "json-element", "json-object"];

    /// <summary>Replay follows DeepSeek V4's thinking switch: on by default (reasoning goes back), off with thinking: {type: disabled}.</summary>
    [Theory]
    [MemberData(nameof(ThinkingSwitchShapes))]
    public async Task DeepSeek_v4_sends_reasoning_back_only_while_thinking(string shape)
    {
        object disabled = shape switch
        {
            "dictionary" => new Dictionary<string, object?> { ["type"] = "disabled" },
            "json-element" => System.Text.Json.JsonDocument.Parse("""{"type":"disabled"}""").RootElement.Clone(),
            _ => new JsonObject { ["type"] = "disabled" },
        };
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok)).Enqueue(ScriptedResponse.Json(s_ok));
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "deepseek",
            Endpoint = server.V1,
            ApiKey = ClientFactory.TestKey,
            Retry = new RetryOptions { MaxRetries = 0 },
        });
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [new TextReasoningContent("I should call the tool."), new FunctionCallContent("call_1", "GetWeather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
        ];

        await client.GetResponseAsync(history);
        var thinking = JsonNode.Parse(server.LastRequest.Body)!;
        await client.GetResponseAsync(history, new ChatOptions { AdditionalProperties = new() { ["thinking"] = disabled } });
        var notThinking = JsonNode.Parse(server.LastRequest.Body)!;

        Assert.Equal("deepseek-flash", thinking["model"]!.ToString());
        Assert.Equal("I should call the tool.", thinking["messages"]![1]!["reasoning_content"]!.ToString());
        Assert.Equal("disabled", notThinking["thinking"]!["type"]!.ToString());
        Assert.False(notThinking["messages"]![1]!.AsObject().ContainsKey("reasoning_content"));
    }
}
