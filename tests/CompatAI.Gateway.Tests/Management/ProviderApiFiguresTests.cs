using System.Text;
using System.Text.Json;
using CompatAI.Emulator;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests.Management;

/// <summary>/v1/embeddings, /v1/completions and /v1/moderations count in /v1/performance and /v1/analytics, as chat does.</summary>
public sealed class ProviderApiFiguresTests
{
    private const string EmulatorKey = "sk-emulator-key-api-7731";

    [Fact]
    public async Task Embeddings_completions_and_moderations_are_counted_per_provider_and_model_with_their_tokens()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKey = EmulatorKey });
        await using var server = await GatewayServer.StartAsync(ProviderApiEndpointsTests.Configuration(emulator), management: true);

        var embedding = await PostAsync(server, "v1/embeddings", """{"model":"openai/text-embedding-3-small","input":["one","two"]}""");
        var completion = await PostAsync(server, "v1/completions", """{"model":"openai/gpt-3.5-turbo-instruct","prompt":"Once upon a time","max_tokens":16}""");
        var streamed = await PostAsync(server, "v1/completions", """{"model":"openai/gpt-3.5-turbo-instruct","prompt":"Twice","stream":true,"stream_options":{"include_usage":true}}""");
        var moderation = await PostAsync(server, "v1/moderations", """{"model":"mistral","input":"I hate mondays"}""");
        emulator.EnqueueFault("openai", EmulatorFault.WithStatus(503));
        var failed = await PostAsync(server, "v1/embeddings", """{"model":"openai/text-embedding-3-small","input":"x"}""");
        Assert.Equal([200, 200, 200, 200, 503], new[] { embedding.Status, completion.Status, streamed.Status, moderation.Status, failed.Status });

        // The gateway's own refusal (an endpoint the profile lacks) is not the provider's failure: not counted.
        var refused = await PostAsync(server, "v1/embeddings", """{"model":"groq","input":"x"}""");
        Assert.Equal(400, refused.Status);

        var embeddingTokens = JsonDocument.Parse(embedding.Body).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64();
        var completionUsage = JsonDocument.Parse(completion.Body).RootElement.GetProperty("usage");
        var streamedUsage = JsonDocument.Parse(streamed.Body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal) && l.Contains("\"usage\":{", StringComparison.Ordinal)).Last()["data: ".Length..]).RootElement.GetProperty("usage");
        Assert.True(embeddingTokens > 0);

        var performance = await GetJsonAsync(server, "v1/performance");
        JsonElement Hour(string provider, string model) => performance.GetProperty("data").EnumerateArray()
            .Single(s => s.GetProperty("provider").GetString() == provider && s.GetProperty("model").GetString() == model).GetProperty("windows").GetProperty("1h");

        var embeddings = Hour("openai", "text-embedding-3-small");
        Assert.Equal((2L, 1L, 1L), (embeddings.GetProperty("attempts").GetInt64(), embeddings.GetProperty("successes").GetInt64(), embeddings.GetProperty("failures").GetInt64()));
        Assert.Equal(embeddingTokens, embeddings.GetProperty("inputTokens").GetInt64());
        var completions = Hour("openai", "gpt-3.5-turbo-instruct");
        Assert.Equal(2, completions.GetProperty("successes").GetInt64());
        Assert.Equal(completionUsage.GetProperty("prompt_tokens").GetInt64() + streamedUsage.GetProperty("prompt_tokens").GetInt64(), completions.GetProperty("inputTokens").GetInt64());
        Assert.Equal(completionUsage.GetProperty("completion_tokens").GetInt64() + streamedUsage.GetProperty("completion_tokens").GetInt64(), completions.GetProperty("outputTokens").GetInt64());
        Assert.Equal(1, completions.GetProperty("timeToFirstTokenMs").GetProperty("samples").GetInt64());
        var moderations = performance.GetProperty("data").EnumerateArray().Single(s => s.GetProperty("provider").GetString() == "mistral").GetProperty("windows").GetProperty("1h");
        Assert.Equal(1, moderations.GetProperty("successes").GetInt64());
        var groq = performance.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("provider").GetString() == "groq");
        Assert.Equal(0, groq.GetProperty("windows").GetProperty("1h").GetProperty("attempts").GetInt64());

        var analytics = await GetJsonAsync(server, "v1/analytics");
        var openai = analytics.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("provider").GetString() == "openai").GetProperty("day");
        Assert.Equal(3, openai.GetProperty("requests").GetInt64());
        Assert.Equal(embeddingTokens + completionUsage.GetProperty("prompt_tokens").GetInt64() + streamedUsage.GetProperty("prompt_tokens").GetInt64(), openai.GetProperty("inputTokens").GetInt64());
        var mistral = analytics.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("provider").GetString() == "mistral").GetProperty("day");
        Assert.Equal(1, mistral.GetProperty("requests").GetInt64());
    }

    private static async Task<(int Status, string Body)> PostAsync(GatewayServer server, string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", "client-key");
        using var response = await server.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> GetJsonAsync(GatewayServer server, string path)
    {
        using var response = await server.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
