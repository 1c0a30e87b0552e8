using System.Text;
using System.Text.Json.Nodes;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;

namespace CompatAI.Cli.Tests;

/// <summary>
/// The probe against emulator personalities: it must rediscover each personality's rules, and the facts it writes must
/// be the catalog profile's for the same provider, on every dimension the probe tests and the personality enforces.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class ProbeCommandTests(CliFixture fixture)
{
    [Fact]
    public async Task Groq_rules_are_rediscovered_and_match_the_catalog()
    {
        var catalog = ProviderCatalog.Default.Get("groq").GetQuirks("qwen/qwen3-32b");

        var (run, profile) = await ProbeAsync(fixture.Keyed, "groq", "qwen/qwen3-32b");

        Assert.Equal("Bearer", (string?)profile["authStyle"]);
        Assert.Null(profile["requiresApiKey"]);
        var quirks = profile["quirks"]!;
        Assert.Equal(catalog.MaxChoices, (int?)quirks["maxChoices"]);
        Assert.Equal(Battery(catalog.UnsupportedParameters), Strings(quirks["unsupportedParameters"]));
        Assert.Equal(catalog.ReasoningFields!.Order(), Strings(quirks["reasoningFields"]).Order());
        Assert.Contains(Finding(run, "stream tool calls"), new[] { "each call whole in one delta; index present; ids present" });
        Assert.Equal("usage in the chunk carrying finish_reason (stream_options.include_usage sent)", Finding(run, "stream usage"));
    }

    [Fact]
    public async Task Mistral_rules_are_rediscovered_and_match_the_catalog()
    {
        var catalog = ProviderCatalog.Default.Get("mistral").GetQuirks("mistral-small-latest");

        var (run, profile) = await ProbeAsync(fixture.Keyed, "mistral", "mistral-small-latest");

        var quirks = profile["quirks"]!;
        Assert.Equal(catalog.ToolCallIdFormat.ToString(), (string?)quirks["toolCallIdFormat"]);
        Assert.Equal(catalog.ToolChoiceValues!["required"], (string?)quirks["toolChoiceValues"]?["required"]);
        Assert.Equal("each call whole in one delta; index MISSING; ids present", Finding(run, "stream tool calls"));
        Assert.StartsWith("HTTP 400: flat {\"message\",...} with object:\"error\"", Finding(run, "error body (400)"));
        // Not compared: the emulator's Mistral accepts stream_options, seed and max_completion_tokens, which the catalog
        // (from the real service) marks as rejected or renamed, so no probe of the emulator can find them.
    }

    [Fact]
    public async Task DeepSeek_rules_are_rediscovered_and_match_the_catalog()
    {
        var catalog = ProviderCatalog.Default.Get("deepseek").GetQuirks("deepseek-reasoner");

        var (_, profile) = await ProbeAsync(fixture.Keyed, "deepseek", "deepseek-reasoner");

        var quirks = profile["quirks"]!;
        Assert.Equal(catalog.DeveloperRole.ToString(), (string?)quirks["developerRole"]);
        Assert.Equal(catalog.ReasoningFields!, Strings(quirks["reasoningFields"]));
        Assert.Null(quirks["unsupportedParameters"]);
        Assert.Null(quirks["systemRole"]);
    }

    [Fact]
    public async Task Vllm_rules_are_rediscovered_and_match_the_catalog()
    {
        var vllm = ProviderCatalog.Default.Get("vllm");

        var (run, profile) = await ProbeAsync(fixture.Open, "vllm", "Qwen/Qwen3-8B");

        Assert.Equal(vllm.RequiresApiKey, (bool?)profile["requiresApiKey"]);
        Assert.Equal(vllm.GetQuirks("Qwen/Qwen3-8B").ReasoningFields!.Order(), Strings(profile["quirks"]!["reasoningFields"]).Order());
        Assert.Equal("answers without a key", Finding(run, "auth"));
        Assert.StartsWith("HTTP 400: OpenAI", Finding(run, "error body (400)"));
        // Not compared: developerRole (the catalog maps it to system for self-hosted chat templates; the emulator accepts it).
    }

    [Fact]
    public async Task The_probed_profile_loads_into_the_catalog_and_through_configuration_and_drives_the_pipeline()
    {
        var (run, profile) = await ProbeAsync(fixture.Keyed, "mistral", "mistral-small-latest", name: "my-mistral");

        // ProviderCatalog.FromJson + ProviderCatalog.Default.With(...)
        var document = new JsonObject { ["providers"] = new JsonArray(profile.DeepClone()) }.ToJsonString();
        var probed = ProviderCatalog.FromJson(Encoding.UTF8.GetBytes(document)).Get("my-mistral");
        var catalog = ProviderCatalog.Default.With(probed);
        Assert.Equal(ToolCallIdFormat.Alphanumeric9, catalog.Get("my-mistral").Quirks.ToolCallIdFormat);

        // The learned profile makes a tool-call round trip work where the bare "custom" profile fails (Mistral's 9-char ids).
        var history = new List<ChatMessage>
        {
            new(ChatRole.User, "What time is it?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_long_openai_style_id_0001", "get_time")]),
            new(ChatRole.Tool, [new FunctionResultContent("call_long_openai_style_id_0001", "12:00")]),
        };
        using (var learned = Client("my-mistral", catalog))
        {
            var answer = await learned.GetResponseAsync(history);
            Assert.Equal("Tool results: get_time=12:00", answer.Text);
        }

        using (var bare = Client("custom", catalog))
        {
            var failure = await Assert.ThrowsAsync<ProviderException>(() => bare.GetResponseAsync(history));
            Assert.Equal(400, failure.StatusCode);
        }

        // Through configuration: the same object under CompatAI:Profiles:<name>.
        var path = Cli.WriteConfig(new JsonObject { ["Profiles"] = new JsonObject { ["my-mistral"] = profile.DeepClone() } });
        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();
        var fromConfiguration = ProviderCatalog.Default.WithOverrides(configuration.GetSection("CompatAI:Profiles")).Get("my-mistral");
        Assert.Equal(ToolCallIdFormat.Alphanumeric9, fromConfiguration.Quirks.ToolCallIdFormat);
        Assert.Equal("any", fromConfiguration.Quirks.ToolChoiceValues!["required"]);
        Assert.Equal(0, run.ExitCode);

        IChatClient Client(string provider, ProviderCatalog with) => CompatChatClient.Create(new CompatChatClientOptions
        {
            Catalog = with,
            Provider = provider,
            Endpoint = fixture.Keyed.GetEndpoint("mistral"),
            ApiKey = CliFixture.Key,
            Model = "mistral-small-latest",
            Retry = { MaxRetries = 0 },
        });
    }

    [Fact]
    public async Task Probe_writes_a_catalog_file_and_text_output()
    {
        var file = Path.Combine(Path.GetTempPath(), "compatai-cli-tests", Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);

        var run = await Cli.RunAsync("probe", "--endpoint", fixture.Keyed.GetEndpoint("groq").AbsoluteUri, "--api-key", CliFixture.Key, "--name", "fast", "--out", file);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("param logit_bias", run.Output);
        Assert.Equal(1, ProviderCatalog.FromJson(File.ReadAllBytes(file)).Get("fast").Quirks.MaxChoices);
    }

    [Fact]
    public async Task Wrong_key_stops_the_probe_with_exit_1()
    {
        var run = await Cli.RunAsync("probe", "--endpoint", fixture.Keyed.GetEndpoint("groq").AbsoluteUri, "--api-key", "wrong", "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("the key is refused as Authorization: Bearer, x-api-key and api-key", (string)run.Json["error"]!);
        Assert.Null(run.Json["profile"]);
        Assert.DoesNotContain("wrong", run.Output.Replace("\"the key", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_endpoint_is_a_usage_error()
    {
        var run = await Cli.RunAsync("probe", "--endpoint", "not a url");

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("'not a url' is not an absolute http:// or https:// URL.", run.Error);
    }

    private static async Task<(CliRun Run, JsonObject Profile)> ProbeAsync(ProviderEmulator emulator, string personality, string model, string name = "probed")
    {
        var run = await Cli.RunAsync("probe", "--endpoint", emulator.GetEndpoint(personality).AbsoluteUri, "--model", model, "--api-key", CliFixture.Key, "--name", name, "--json");
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        return (run, run.Json["profile"]!.AsObject());
    }

    private static readonly string[] BatteryParameters = ["n", "logit_bias", "seed", "frequency_penalty", "presence_penalty", "stream_options", "max_completion_tokens"];

    private static List<string> Battery(IReadOnlyList<string>? parameters) => [.. (parameters ?? []).Where(BatteryParameters.Contains)];

    private static List<string> Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(n => (string)n!)] : [];

    private static string Finding(CliRun run, string name) =>
        (string)run.Json["findings"]!.AsArray().Single(f => (string?)f!["name"] == name)!["result"]!;
}
