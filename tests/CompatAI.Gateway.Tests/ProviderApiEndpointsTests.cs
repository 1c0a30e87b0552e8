using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using CompatAI.Emulator;
using CompatAI.Gateway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Embeddings;
using OpenAI.Moderations;

namespace CompatAI.Gateway.Tests;

/// <summary>
/// <c>POST /v1/embeddings</c>, <c>/v1/completions</c> and <c>/v1/moderations</c>: client (the OpenAI SDK, or raw HTTP for
/// completions, which the SDK has no client for) → real gateway → the library's clients → provider emulator, on loopback.
/// </summary>
public sealed class ProviderApiEndpointsTests : IAsyncLifetime
{
    private const string EmulatorKey = "sk-emulator-key-api-7731";

    private ProviderEmulator _emulator = null!;
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKey = EmulatorKey });
        _server = await GatewayServer.StartAsync(Configuration(_emulator));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    internal static Dictionary<string, string?> Configuration(ProviderEmulator emulator)
    {
        var config = new Dictionary<string, string?>();
        foreach (var (name, model) in new[] { ("openai", "gpt-4o-mini"), ("vllm", "meta-llama/Llama-3.1-8B-Instruct"), ("mistral", "mistral-small-latest"), ("groq", "llama-3.3-70b-versatile") })
        {
            config[$"CompatAI:Providers:{name}:Provider"] = name;
            config[$"CompatAI:Providers:{name}:Endpoint"] = emulator.GetEndpoint(name).ToString();
            config[$"CompatAI:Providers:{name}:Model"] = model;
            config[$"CompatAI:Providers:{name}:ApiKey"] = EmulatorKey;
            config[$"CompatAI:Providers:{name}:Retry:MaxRetries"] = "0";
        }

        return config;
    }

    private OpenAIClientOptions SdkOptions() => new() { Endpoint = _server.V1, RetryPolicy = new ClientRetryPolicy(0) };

    /// <summary>The emulator's documented vector: byte j of SHA-256(model \n input \n block) as (b - 128) / 128.</summary>
    private static float[] Expected(string model, string input, int dimensions)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{model}\n{input}\n{i / 32}"));
            vector[i] = (hash[i % 32] - 128) / 128f;
        }

        return vector;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? key = "client-key", HttpCompletionOption option = HttpCompletionOption.ResponseContentRead, GatewayServer? server = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        return await (server ?? _server).Http.SendAsync(request, option);
    }

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("error").Clone();
    }

    [Fact]
    public async Task Sdk_embeds_a_batch_through_the_gateway()
    {
        var client = new EmbeddingClient("openai/text-embedding-3-small", new ApiKeyCredential("client-key"), SdkOptions());

        var result = await client.GenerateEmbeddingsAsync(["hello gateway", "second text"]);

        Assert.Equal(2, result.Value.Count);
        Assert.Equal(Expected("text-embedding-3-small", "hello gateway", 1536), result.Value[0].ToFloats().ToArray());
        Assert.Equal(Expected("text-embedding-3-small", "second text", 1536), result.Value[1].ToFloats().ToArray());
        Assert.Equal(1, result.Value[1].Index);
        Assert.Equal("openai/text-embedding-3-small", result.Value.Model);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-compat-provider", out var provider));
        Assert.Equal("openai", provider);
        var upstream = Assert.Single(_emulator.Requests, r => r.Path.EndsWith("/embeddings", StringComparison.Ordinal));
        Assert.Equal("openai", upstream.Personality);
        Assert.Equal("Bearer " + EmulatorKey, upstream.Headers["Authorization"]);
    }

    [Fact]
    public async Task Sdk_asks_for_fewer_dimensions()
    {
        var client = new EmbeddingClient("openai/text-embedding-3-small", new ApiKeyCredential("client-key"), SdkOptions());

        var result = await client.GenerateEmbeddingAsync("short", new EmbeddingGenerationOptions { Dimensions = 64 });

        Assert.Equal(Expected("text-embedding-3-small", "short", 64), result.Value.ToFloats().ToArray());
        var upstream = Assert.Single(_emulator.Requests, r => r.Path.EndsWith("/embeddings", StringComparison.Ordinal));
        using var sent = JsonDocument.Parse(upstream.Body);
        Assert.Equal(64, sent.RootElement.GetProperty("dimensions").GetInt32());
    }

    [Fact]
    public async Task Float_encoding_answers_json_numbers()
    {
        using var response = await PostAsync("v1/embeddings", """{"model":"openai/text-embedding-3-small","input":"as floats","encoding_format":"float"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.Equal("list", root.GetProperty("object").GetString());
        var item = Assert.Single(root.GetProperty("data").EnumerateArray());
        Assert.Equal("embedding", item.GetProperty("object").GetString());
        var values = item.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(Expected("text-embedding-3-small", "as floats", 1536), values);
        Assert.True(root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Sdk_moderates_through_the_gateway()
    {
        var client = new ModerationClient("openai/omni-moderation-latest", new ApiKeyCredential("client-key"), SdkOptions());

        var result = await client.ClassifyTextAsync(["I will kill the process", "a quiet afternoon"]);

        Assert.Equal(2, result.Value.Count);
        Assert.True(result.Value[0].Flagged);
        Assert.True(result.Value[0].Violence.Flagged);
        Assert.Equal(0.9f, result.Value[0].Violence.Score, 3);
        Assert.False(result.Value[0].Hate.Flagged);
        Assert.False(result.Value[1].Flagged);
        Assert.Equal("openai/omni-moderation-latest", result.Value.Model);
    }

    [Fact]
    public async Task Moderation_of_a_provider_without_flagged_answers_flagged()
    {
        // Mistral's answer has no 'flagged'; the library derives it from the categories, and the gateway answers OpenAI's shape.
        using var response = await PostAsync("v1/moderations", """{"model":"mistral","input":"I hate mondays"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var result = Assert.Single(document.RootElement.GetProperty("results").EnumerateArray());
        Assert.True(result.GetProperty("flagged").GetBoolean());
        Assert.True(result.GetProperty("categories").GetProperty("hate_and_discrimination").GetBoolean());
        Assert.False(result.GetProperty("categories").GetProperty("violence_and_threats").GetBoolean());
        Assert.Equal(0.9, result.GetProperty("category_scores").GetProperty("hate_and_discrimination").GetDouble(), 3);
        Assert.Equal("mistral/mistral-moderation-latest", document.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Completion_answers_a_text_completion()
    {
        using var response = await PostAsync("v1/completions", """{"model":"openai/gpt-3.5-turbo-instruct","prompt":"Once upon a time","max_tokens":16,"temperature":0.2}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.Equal("text_completion", root.GetProperty("object").GetString());
        Assert.Equal("openai/gpt-3.5-turbo-instruct", root.GetProperty("model").GetString());
        var choice = Assert.Single(root.GetProperty("choices").EnumerateArray());
        Assert.Equal(" continues 'time'", choice.GetProperty("text").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.True(root.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        var upstream = Assert.Single(_emulator.Requests, r => r.Path.EndsWith("/completions", StringComparison.Ordinal));
        using var sent = JsonDocument.Parse(upstream.Body);
        Assert.Equal("gpt-3.5-turbo-instruct", sent.RootElement.GetProperty("model").GetString());
        Assert.Equal(16, sent.RootElement.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task Completion_passes_suffix_and_max_tokens()
    {
        using var response = await PostAsync("v1/completions", """{"model":"vllm/Qwen/Qwen2.5-Coder-7B","prompt":["def add(a, b):"],"suffix":"return total","max_tokens":3}""");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        var choice = Assert.Single(document.RootElement.GetProperty("choices").EnumerateArray());
        Assert.Equal(" continues 'b):' before", choice.GetProperty("text").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("vllm/Qwen/Qwen2.5-Coder-7B", document.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task A_bare_provider_without_a_default_model_is_told_to_name_one()
    {
        using var response = await PostAsync("v1/completions", """{"model":"vllm","prompt":"x"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal("invalid_model", error.GetProperty("code").GetString());
        Assert.Contains("'vllm/<model>'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_emulator.Requests);
    }

    [Fact]
    public async Task Streamed_completion_is_sse_ending_with_done()
    {
        using var response = await PostAsync("v1/completions", """{"model":"openai/gpt-3.5-turbo-instruct","prompt":"Once upon a time","stream":true,"stream_options":{"include_usage":true}}""", option: HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await Sse.ReadAllAsync(response);
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e.Data)).ToList();
        try
        {
            Assert.All(chunks, c => Assert.Equal("text_completion", c.RootElement.GetProperty("object").GetString()));
            var withText = chunks.Where(c => c.RootElement.GetProperty("choices").GetArrayLength() > 0).ToList();
            Assert.True(withText.Count >= 2, "one chunk per word");
            Assert.Equal(" continues 'time'", string.Concat(withText.Select(c => c.RootElement.GetProperty("choices")[0].GetProperty("text").GetString())));
            Assert.Equal("stop", withText[^1].RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
            Assert.True(chunks[^1].RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        }
        finally
        {
            chunks.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_streamed_completion_that_fails_before_output_is_a_plain_http_error()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(7)));

        using var response = await PostAsync("v1/completions", """{"model":"openai/gpt-3.5-turbo-instruct","prompt":"x","stream":true}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("openai", (await ErrorAsync(response)).GetProperty("provider").GetString());
    }

    [Fact]
    public async Task A_streamed_completion_that_breaks_after_output_ends_with_an_error_event_and_no_done()
    {
        await using var upstream = await LoopbackUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("""data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":" first","finish_reason":null}]}""" + "\n\n");
            await context.Response.WriteAsync("data: {not json\n\n");
        });
        var config = Configuration(_emulator);
        config["CompatAI:Providers:vllm:Endpoint"] = new Uri(upstream.BaseAddress, "v1/").ToString();
        await using var server = await GatewayServer.StartAsync(config);

        using var response = await PostAsync("v1/completions", """{"model":"vllm/m","prompt":"x","stream":true}""", option: HttpCompletionOption.ResponseHeadersRead, server: server);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await Sse.ReadAllAsync(response);
        Assert.Equal(2, events.Count);
        using (var first = JsonDocument.Parse(events[0].Data))
        {
            Assert.Equal(" first", first.RootElement.GetProperty("choices")[0].GetProperty("text").GetString());
            Assert.Equal("vllm/m", first.RootElement.GetProperty("model").GetString());
        }

        Assert.Equal("error", events[1].EventType);
        using var error = JsonDocument.Parse(events[1].Data);
        Assert.Equal("vllm", error.RootElement.GetProperty("error").GetProperty("provider").GetString());
        Assert.DoesNotContain(events, e => e.Data == "[DONE]");
    }

    [Theory]
    [InlineData("v1/embeddings", """{"model":"groq/some-model","input":"x"}""", "groq", "/embeddings")]
    [InlineData("v1/completions", """{"model":"groq/llama-3.3-70b-versatile","prompt":"x"}""", "groq", "/completions")]
    [InlineData("v1/moderations", """{"model":"vllm/any","input":"x"}""", "vllm", "/moderations")]
    [InlineData("v1/moderations", """{"model":"echo/echo-1","input":"x"}""", "echo", "/v1/moderations")]
    [InlineData("v1/embeddings", """{"model":"echo","input":"x"}""", "echo", "/v1/embeddings")]
    public async Task A_provider_without_the_endpoint_gets_a_clear_error_before_any_upstream_call(string path, string body, string provider, string endpoint)
    {
        using var response = await PostAsync(path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal("unsupported_endpoint", error.GetProperty("code").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.Contains($"'{provider}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(endpoint, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_emulator.Requests);
    }

    [Fact]
    public async Task Sdk_sees_the_unsupported_error_as_a_400()
    {
        var client = new EmbeddingClient("groq/nomic", new ApiKeyCredential("client-key"), SdkOptions());

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateEmbeddingAsync("x"));

        Assert.Equal(400, ex.Status);
        Assert.Contains("groq", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_emulator.Requests);
    }

    [Theory]
    [InlineData("v1/embeddings", """{"model":"openai/text-embedding-3-small","input":[[1,2,3]]}""", "input")]
    [InlineData("v1/embeddings", """{"model":"openai/text-embedding-3-small","input":"x","encoding_format":"int8"}""", "encoding_format")]
    [InlineData("v1/embeddings", """{"model":"openai/text-embedding-3-small","input":"x","dimensions":0}""", "dimensions")]
    [InlineData("v1/embeddings", """{"input":"x"}""", "model")]
    [InlineData("v1/completions", """{"model":"openai/gpt-3.5-turbo-instruct"}""", "prompt")]
    [InlineData("v1/completions", """{"model":"openai/gpt-3.5-turbo-instruct","prompt":["a","b"]}""", "prompt")]
    [InlineData("v1/completions", """{"model":"openai/gpt-3.5-turbo-instruct","prompt":"a","stop":3}""", "stop")]
    [InlineData("v1/moderations", """{"model":"openai","input":[]}""", "input")]
    public async Task Bad_input_is_a_400_naming_the_parameter(string path, string body, string param)
    {
        using var response = await PostAsync(path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Empty(_emulator.Requests);
    }

    [Fact]
    public async Task A_provider_failure_keeps_its_status_and_names_the_provider_without_the_key()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.WithStatus(503));

        using var response = await PostAsync("v1/embeddings", """{"model":"openai/text-embedding-3-small","input":"x"}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("openai", Assert.Single(response.Headers.GetValues("x-compat-provider")));
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(EmulatorKey, text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        Assert.Equal("openai", document.RootElement.GetProperty("error").GetProperty("provider").GetString());
        Assert.Contains("failed: Unavailable HTTP 503", _server.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(EmulatorKey, _server.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_without_its_own_key_passes_the_clients_credential_through()
    {
        var config = Configuration(_emulator);
        config.Remove("CompatAI:Providers:openai:ApiKey");
        await using var server = await GatewayServer.StartAsync(config);

        using var accepted = await PostAsync("v1/moderations", """{"model":"openai","input":"x"}""", key: EmulatorKey, server: server);
        using var refused = await PostAsync("v1/moderations", """{"model":"openai","input":"x"}""", key: "sk-wrong-client-key", server: server);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(["Bearer " + EmulatorKey, "Bearer sk-wrong-client-key"], _emulator.Requests.Select(r => r.Headers["Authorization"]));
        Assert.DoesNotContain("sk-wrong-client-key", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_keys_are_required_on_every_endpoint()
    {
        var config = Configuration(_emulator);
        config["CompatAI:Gateway:Keys:0"] = "gw-secret-key";
        await using var server = await GatewayServer.StartAsync(config);

        foreach (var (path, body) in new[]
        {
            ("v1/embeddings", """{"model":"openai/text-embedding-3-small","input":"x"}"""),
            ("v1/completions", """{"model":"openai/gpt-3.5-turbo-instruct","prompt":"x"}"""),
            ("v1/moderations", """{"model":"openai/omni-moderation-latest","input":"x"}"""),
        })
        {
            using var missing = await PostAsync(path, body, key: null, server: server);
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("invalid_api_key", (await ErrorAsync(missing)).GetProperty("code").GetString());
            using var wrong = await PostAsync(path, body, key: "not-the-key", server: server);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            using var right = await PostAsync(path, body, key: "gw-secret-key", server: server);
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        Assert.Equal(3, _emulator.Requests.Count);
        Assert.All(_emulator.Requests, r => Assert.Equal("Bearer " + EmulatorKey, r.Headers["Authorization"]));
        var sdk = new EmbeddingClient("openai/text-embedding-3-small", new ApiKeyCredential("gw-secret-key"), new OpenAIClientOptions { Endpoint = server.V1, RetryPolicy = new ClientRetryPolicy(0) });
        Assert.Equal(1536, (await sdk.GenerateEmbeddingAsync("with the gateway key")).Value.ToFloats().Length);
        Assert.DoesNotContain("gw-secret-key", server.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-key", server.Logs.AllText, StringComparison.Ordinal);
    }
}
