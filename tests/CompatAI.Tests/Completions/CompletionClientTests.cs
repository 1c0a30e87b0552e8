using System.Text.Json.Nodes;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;

namespace CompatAI.Tests.Completions;

/// <summary><see cref="CompletionClient"/> against emulator personalities on loopback, over CompatAI's SDK pipeline.</summary>
public sealed class CompletionClientTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private CompletionClient Client(string personality, string? model = null) => new(new CompletionClientOptions
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    private RecordedRequest SentOnce(string personality, string marker) =>
        Assert.Single(fixture.Emulator.Requests, r => r.Personality == personality && r.Body.Contains(marker, StringComparison.Ordinal));

    private static string Unique() => "marker" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_completion_returns_text_finish_reason_usage_and_model()
    {
        var marker = Unique();
        var client = Client("vllm", "meta-llama/Llama-3.1-8B");

        var response = await client.CompleteAsync(new CompletionRequest($"Once upon a {marker}") { MaxTokens = 16, Temperature = 0.2f });

        Assert.Equal($" continues '{marker}'", response.Text);
        Assert.Equal("stop", response.FinishReason);
        Assert.Equal("meta-llama/Llama-3.1-8B", response.ModelId);
        Assert.StartsWith("cmpl-", response.ResponseId, StringComparison.Ordinal);
        Assert.Equal(4, response.Usage?.InputTokenCount);
        Assert.Equal(2, response.Usage?.OutputTokenCount);
        Assert.Equal(6, response.Usage?.TotalTokenCount);
        var request = SentOnce("vllm", marker);
        Assert.EndsWith("/v1/completions", request.Path, StringComparison.Ordinal);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("meta-llama/Llama-3.1-8B", body["model"]!.GetValue<string>());
        Assert.Equal(16, body["max_tokens"]!.GetValue<int>());
        Assert.Equal(0.2f, body["temperature"]!.GetValue<float>());
        Assert.Null(body["stream"]);
    }

    [Fact]
    public async Task Streaming_yields_one_piece_per_chunk_then_usage_and_the_pieces_make_the_whole_text()
    {
        var marker = Unique();
        var client = Client("openai");
        var request = new CompletionRequest($"def {marker}") { Suffix = "return result" };

        var updates = new List<CompletionUpdate>();
        await foreach (var update in client.CompleteStreamingAsync(request))
        {
            updates.Add(update);
        }

        Assert.Equal($" continues '{marker}' before 'return'", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal([" continues", $" '{marker}'", " before", " 'return'", string.Empty], updates.Select(u => u.Text));
        Assert.Equal("stop", updates[^2].FinishReason);
        Assert.Equal(4, updates[^1].Usage?.OutputTokenCount);
        Assert.All(updates, u => Assert.Equal("gpt-3.5-turbo-instruct", u.ModelId));
        var body = JsonNode.Parse(SentOnce("openai", marker).Body)!;
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.True(body["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal("return result", body["suffix"]!.GetValue<string>());
    }

    [Fact]
    public async Task Max_tokens_stop_echo_and_logprobs_reach_the_wire_and_come_back()
    {
        var marker = Unique();
        var client = Client("llamacpp", "ggml-org/gemma-3-4b-it-GGUF");
        var request = new CompletionRequest($"Say {marker}") { MaxTokens = 1, Echo = true, Logprobs = 2, StopSequences = { "never" } };
        request.AdditionalProperties["min_p"] = 0.05;

        var response = await client.CompleteAsync(request);

        Assert.Equal($"Say {marker} continues", response.Text);
        Assert.Equal("length", response.FinishReason);
        Assert.Equal(-0.5, response.Logprobs!.Value.GetProperty("token_logprobs")[0].GetDouble());
        var body = JsonNode.Parse(SentOnce("llamacpp", marker).Body)!;
        Assert.Equal(1, body["max_tokens"]!.GetValue<int>());
        Assert.True(body["echo"]!.GetValue<bool>());
        Assert.Equal(2, body["logprobs"]!.GetValue<int>());
        Assert.Equal(["never"], body["stop"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(0.05, body["min_p"]!.GetValue<double>());
    }

    [Fact]
    public async Task DeepSeek_fill_in_the_middle_goes_to_the_beta_path_from_its_profile()
    {
        var marker = Unique();
        var client = Client("deepseek");

        var response = await client.CompleteAsync(new CompletionRequest($"def fib({marker}):") { Suffix = "    return fib(n-1) + fib(n-2)" });

        Assert.Equal($" continues 'fib({marker}):' before 'return'", response.Text);
        var sent = SentOnce("deepseek", marker);
        Assert.EndsWith("/v1/beta/completions", sent.Path, StringComparison.Ordinal);
        Assert.Equal("deepseek-flash", JsonNode.Parse(sent.Body)!["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeepSeek_without_the_beta_path_is_a_typed_not_found()
    {
        var catalog = ProviderCatalog.Default.With(new ProviderProfile
        {
            Name = "deepseek",
            BaseUrl = new Uri("https://api.deepseek.com"),
            Completions = new CompletionsProfile { DefaultModel = "deepseek-chat", Path = "completions" },
        });
        var client = new CompletionClient(new CompletionClientOptions
        {
            Provider = "deepseek",
            Catalog = catalog,
            Endpoint = fixture.Emulator.GetEndpoint("deepseek"),
            ApiKey = "emulator-key",
            Retry = { MaxRetries = 0 },
        });

        var error = await Assert.ThrowsAsync<ProviderException>(() => client.CompleteAsync(Unique()));

        Assert.Equal(ProviderErrorKind.NotFound, error.Kind);
        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task Provider_errors_are_typed_ProviderExceptions()
    {
        fixture.Emulator.EnqueueFault("vllm", EmulatorFault.WithStatus(429));
        var client = Client("vllm", "meta-llama/Llama-3.1-8B");

        var error = await Assert.ThrowsAsync<ProviderException>(() => client.CompleteAsync(Unique()));

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal("vllm", error.ProviderName);
    }

    [Fact]
    public void A_provider_without_completions_is_refused_before_any_request()
    {
        var before = fixture.Emulator.Requests.Count;

        var error = Assert.Throws<ArgumentException>(() => Client("groq", "llama-3.3-70b-versatile"));

        Assert.Contains("'groq' does not serve /completions", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Emulator.Requests.Count);
    }

    [Fact]
    public void A_provider_without_a_default_model_needs_one()
    {
        var error = Assert.Throws<ArgumentException>(() => Client("vllm"));

        Assert.Contains("no default completions model", error.Message, StringComparison.Ordinal);
    }
}
