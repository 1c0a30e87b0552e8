using System.ClientModel;
using System.Text.Json.Nodes;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Embeddings;
using EmbeddingGenerationOptions = Microsoft.Extensions.AI.EmbeddingGenerationOptions;

namespace CompatAI.Tests.Embeddings;

/// <summary>
/// <see cref="CompatEmbeddingGenerator"/> against emulator personalities on loopback, through the real OpenAI SDK
/// <see cref="EmbeddingClient"/> and Microsoft.Extensions.AI.OpenAI's <c>AsIEmbeddingGenerator()</c>.
/// </summary>
public sealed class CompatEmbeddingGeneratorTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private IEmbeddingGenerator<string, Embedding<float>> Generator(string personality, string? model = null, Action<CompatEmbeddingGeneratorOptions>? configure = null)
    {
        var options = new CompatEmbeddingGeneratorOptions
        {
            Provider = personality,
            Endpoint = fixture.Emulator.Personalities.Contains(personality) ? fixture.Emulator.GetEndpoint(personality) : null,
            ApiKey = "emulator-key",
            Model = model,
            Retry = { MaxRetries = 0 },
        };
        configure?.Invoke(options);
        return CompatEmbeddingGenerator.Create(options);
    }

    private List<RecordedRequest> Sent(string personality, string marker) =>
        [.. fixture.Emulator.Requests.Where(r => r.Personality == personality && r.Path.EndsWith("/embeddings", StringComparison.Ordinal) && r.Body.Contains(marker, StringComparison.Ordinal))];

    private static string Unique(string text) => text + " " + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_base64_answer_decodes_to_the_emulators_vector_and_the_sdk_asked_for_base64()
    {
        using var generator = Generator("openai");
        var input = Unique("the quick brown fox");

        var result = await generator.GenerateAsync([input]);

        var embedding = Assert.Single(result);
        Assert.Equal(EmulatorVectors.For("text-embedding-3-small", input, 1536), embedding.Vector.ToArray());
        Assert.Equal("text-embedding-3-small", embedding.ModelId);
        var body = JsonNode.Parse(Assert.Single(Sent("openai", input)).Body)!;
        Assert.Equal("base64", body["encoding_format"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_server_that_ignores_encoding_format_answers_floats_which_decode_to_the_same_vector()
    {
        const string Model = "text-embedding-nomic-embed-text-v1.5";
        var input = Unique("float answer");
        using (var http = new HttpClient())
        {
            // Precondition: LM Studio's personality answers float arrays although base64 is asked for.
            var raw = await http.PostAsync(
                new Uri(fixture.Emulator.GetEndpoint("lmstudio"), "embeddings"),
                new StringContent($$"""{"model":"{{Model}}","input":"{{input}}","encoding_format":"base64"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.IsType<JsonArray>(JsonNode.Parse(await raw.Content.ReadAsStringAsync())!["data"]![0]!["embedding"]);
        }

        using var generator = Generator("lmstudio", Model);
        var result = await generator.GenerateAsync([input]);

        Assert.Equal(EmulatorVectors.For(Model, input, 768), Assert.Single(result).Vector.ToArray());
    }

    [Fact]
    public async Task OpenAI_SDK_2_15_reads_a_float_answer_by_itself_so_no_response_repair_is_needed()
    {
        const string Model = "text-embedding-nomic-embed-text-v1.5";
        var client = new EmbeddingClient(Model, new ApiKeyCredential("emulator-key"), new OpenAIClientOptions { Endpoint = fixture.Emulator.GetEndpoint("lmstudio") });
        using var bare = client.AsIEmbeddingGenerator();

        var input = Unique("bare");
        var result = await bare.GenerateAsync([input]);

        Assert.Equal(EmulatorVectors.For(Model, input, 768), Assert.Single(result).Vector.ToArray());
    }

    [Fact]
    public async Task An_apps_own_EmbeddingClient_with_UseCompatWireRepairs_omits_encoding_format_where_the_profile_says()
    {
        const string Model = "gemini-embedding-001";
        var options = new OpenAIClientOptions { Endpoint = fixture.Emulator.GetEndpoint("litellm") }.UseCompatWireRepairs("litellm");
        using var generator = new EmbeddingClient(Model, new ApiKeyCredential("unused"), options).AsIEmbeddingGenerator();
        var input = Unique("own client");

        var result = await generator.GenerateAsync([input]);

        Assert.Equal(EmulatorVectors.For(Model, input, 3072), Assert.Single(result).Vector.ToArray());
        Assert.False(JsonNode.Parse(Assert.Single(Sent("litellm", input)).Body)!.AsObject().ContainsKey("encoding_format"));
    }

    [Fact]
    public async Task A_provider_that_rejects_encoding_format_gets_it_omitted_and_its_floats_decoded()
    {
        const string Model = "gemini-embedding-001";
        var input = Unique("omit the format");
        using var generator = Generator("litellm", Model);

        var result = await generator.GenerateAsync([input]);

        Assert.Equal(EmulatorVectors.For(Model, input, 3072), Assert.Single(result).Vector.ToArray());
        var body = JsonNode.Parse(Assert.Single(Sent("litellm", input)).Body)!.AsObject();
        Assert.False(body.ContainsKey("encoding_format"));
    }

    [Fact]
    public async Task Without_the_profile_the_same_provider_answers_400_as_a_typed_error()
    {
        // The 'custom' profile does not omit encoding_format, so the LiteLLM personality refuses the request.
        using var generator = Generator("custom", "gemini-embedding-001", o => o.Endpoint = fixture.Emulator.GetEndpoint("litellm"));

        var error = await Assert.ThrowsAsync<ProviderException>(() => generator.GenerateAsync([Unique("rejected")]));

        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("encoding_format", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_over_the_providers_limit_is_split_and_rejoined_in_order_with_usage_summed()
    {
        // OpenAI takes at most 2048 inputs per request (profile maxInputs, enforced by the emulator).
        var marker = Guid.NewGuid().ToString("N");
        var inputs = Enumerable.Range(0, 2049).Select(i => $"{marker} item {i}").ToArray();
        using var generator = Generator("openai", configure: o => o.Dimensions = 4);

        var result = await generator.GenerateAsync(inputs, new EmbeddingGenerationOptions());

        Assert.Equal(2049, result.Count);
        for (var i = 0; i < inputs.Length; i += 97)
        {
            Assert.Equal(EmulatorVectors.For("text-embedding-3-small", inputs[i], 4), result[i].Vector.ToArray());
        }

        Assert.Equal(EmulatorVectors.For("text-embedding-3-small", inputs[^1], 4), result[^1].Vector.ToArray());
        var sent = Sent("openai", marker);
        Assert.Equal([2048, 1], sent.Select(r => JsonNode.Parse(r.Body)!["input"]!.AsArray().Count));
        Assert.Equal(2049 * 3, result.Usage?.InputTokenCount); // three words per input
        Assert.Equal(2049 * 3, result.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task The_same_batch_unsplit_is_refused_by_the_provider()
    {
        var marker = Guid.NewGuid().ToString("N");
        var client = new EmbeddingClient("text-embedding-3-small", new ApiKeyCredential("emulator-key"), new OpenAIClientOptions { Endpoint = fixture.Emulator.GetEndpoint("openai") }.UseCompatWireRepairs("openai"));
        using var bare = client.AsIEmbeddingGenerator();

        var error = await Assert.ThrowsAsync<ProviderException>(() => bare.GenerateAsync(Enumerable.Range(0, 2049).Select(i => $"{marker} {i}")));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains("2048", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, 2, new[] { 2, 2, 1 })]
    [InlineData(4, 2, new[] { 2, 2 })]
    [InlineData(2, 2, new[] { 2 })]
    [InlineData(1, 1, new[] { 1 })]
    public async Task Batches_split_at_the_configured_limit_boundaries(int count, int limit, int[] expectedBatches)
    {
        var marker = Guid.NewGuid().ToString("N");
        var inputs = Enumerable.Range(0, count).Select(i => $"{marker} {i}").ToArray();
        using var generator = Generator("mistral", configure: o => o.MaxInputsPerRequest = limit);

        var result = await generator.GenerateAsync(inputs);

        Assert.Equal(inputs.Select(i => EmulatorVectors.For("mistral-embed", i, 1024)), result.Select(e => e.Vector.ToArray()));
        Assert.Equal(expectedBatches, Sent("mistral", marker).Select(r => JsonNode.Parse(r.Body)!["input"]!.AsArray().Count));
        Assert.Equal(count * 2, result.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Dimensions_are_sent_and_shorten_the_vectors()
    {
        var input = Unique("short");
        using var generator = Generator("openai", "text-embedding-3-large", o => o.Dimensions = 256);

        var perRequest = await generator.GenerateAsync([input], new EmbeddingGenerationOptions { Dimensions = 64 });
        var byDefault = await generator.GenerateAsync([input]);

        Assert.Equal(EmulatorVectors.For("text-embedding-3-large", input, 64), Assert.Single(perRequest).Vector.ToArray());
        Assert.Equal(EmulatorVectors.For("text-embedding-3-large", input, 256), Assert.Single(byDefault).Vector.ToArray());
        Assert.Equal([64, 256], Sent("openai", input).Select(r => JsonNode.Parse(r.Body)!["dimensions"]!.GetValue<int>()));
    }

    [Fact]
    public void Metadata_names_the_real_provider_model_and_dimensions()
    {
        using var generator = Generator("mistral");

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;

        Assert.Equal("mistral", metadata.ProviderName);
        Assert.Equal(fixture.Emulator.GetEndpoint("mistral").AbsoluteUri.TrimEnd('/'), metadata.ProviderUri!.AbsoluteUri.TrimEnd('/'));
        Assert.Equal("mistral-embed", metadata.DefaultModelId);
        Assert.Equal(1024, metadata.DefaultModelDimensions);
        Assert.Equal("mistral", generator.GetService<ProviderProfile>()!.Name);
    }

    [Fact]
    public async Task An_unknown_model_is_a_typed_not_found_error()
    {
        using var generator = Generator("openai", "text-embedding-9");

        var error = await Assert.ThrowsAsync<ProviderException>(() => generator.GenerateAsync([Unique("x")]));

        Assert.Equal(ProviderErrorKind.NotFound, error.Kind);
        Assert.Equal("openai", error.ProviderName);
    }

    [Fact]
    public void A_provider_without_embeddings_is_refused_before_any_request()
    {
        var before = fixture.Emulator.Requests.Count;

        var error = Assert.Throws<ArgumentException>(() => Generator("groq"));

        Assert.Contains("'groq' does not serve /embeddings", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Emulator.Requests.Count);
    }

    [Fact]
    public async Task A_configuration_override_gives_a_provider_embeddings_as_the_error_message_suggests()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([
                new("Profiles:groq:Embeddings:DefaultModel", "mistral-embed"),
                new("Profiles:groq:Embeddings:MaxInputs", "1"),
            ])
            .Build();
        var catalog = ProviderCatalog.Default.WithOverrides(configuration.GetSection("Profiles"));
        var marker = Guid.NewGuid().ToString("N");
        using var generator = CompatEmbeddingGenerator.Create(new CompatEmbeddingGeneratorOptions
        {
            Provider = "groq",
            Catalog = catalog,
            Endpoint = fixture.Emulator.GetEndpoint("mistral"), // a server that does serve /embeddings
            ApiKey = "emulator-key",
            Retry = { MaxRetries = 0 },
        });

        var result = await generator.GenerateAsync([$"{marker} a", $"{marker} b"]);

        Assert.Equal(2, result.Count);
        Assert.Equal(2, Sent("mistral", marker).Count); // MaxInputs 1 from configuration
        Assert.Equal("groq", generator.GetService<EmbeddingGeneratorMetadata>()!.ProviderName);
    }

    [Theory]
    [InlineData("vllm", null, null, "no default embedding model")]
    [InlineData("openai", 0, null, "Dimensions must be positive")]
    [InlineData("openai", null, 0, "MaxInputsPerRequest must be positive")]
    [InlineData("", null, null, "Provider is required")]
    public void Invalid_options_name_the_problem(string provider, int? dimensions, int? maxInputs, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => CompatEmbeddingGenerator.Create(new CompatEmbeddingGeneratorOptions
        {
            Provider = provider,
            Endpoint = new Uri("http://127.0.0.1:9/v1"),
            ApiKey = "k",
            Dimensions = dimensions,
            MaxInputsPerRequest = maxInputs,
        }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCompatEmbeddingGenerator_registers_the_provider_behind_MEAIs_builder()
    {
        var services = new ServiceCollection();
        services.AddCompatEmbeddingGenerator(new CompatEmbeddingGeneratorOptions
        {
            Provider = "vllm",
            Endpoint = fixture.Emulator.GetEndpoint("vllm"),
            Model = "BAAI/bge-m3",
            Retry = { MaxRetries = 0 },
        }).UseLogging();
        await using var provider = services.AddLogging().BuildServiceProvider();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var input = Unique("from DI");

        var result = await generator.GenerateAsync([input]);

        Assert.Equal("vllm", generator.GetService<EmbeddingGeneratorMetadata>()!.ProviderName);
        Assert.Equal(EmulatorVectors.For("BAAI/bge-m3", input, 1024), Assert.Single(result).Vector.ToArray());
    }
}
