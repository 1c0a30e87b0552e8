using System.Net;

namespace CompatAI.Emulator.Tests;

/// <summary>The options that make the emulator as strict as a real service: one auth header style, and /v1 required.</summary>
public sealed class StrictOptionsTests
{
    [Fact]
    public async Task RequiredApiKeyHeader_accepts_the_key_only_in_that_header()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKey = "k1", RequiredApiKeyHeader = "x-api-key" });
        var models = new Uri(emulator.GetEndpoint("groq"), "models");

        var bearer = await Wire.SendAsync(HttpMethod.Get, models, headers: [("Authorization", "Bearer k1")]);
        var apiKey = await Wire.SendAsync(HttpMethod.Get, models, headers: [("api-key", "k1")]);
        var xApiKey = await Wire.SendAsync(HttpMethod.Get, models, headers: [("x-api-key", "k1")]);

        Assert.Equal(HttpStatusCode.Unauthorized, bearer.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, apiKey.Status);
        Assert.Equal(HttpStatusCode.OK, xApiKey.Status);
    }

    [Fact]
    public async Task RequireVersionPrefix_answers_404_without_v1()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequireVersionPrefix = true });

        var without = await Wire.SendAsync(HttpMethod.Get, new Uri(emulator.BaseUrl, "groq/models"));
        var with = await Wire.SendAsync(HttpMethod.Get, new Uri(emulator.BaseUrl, "groq/v1/models"));

        Assert.Equal(HttpStatusCode.NotFound, without.Status);
        Assert.Equal("Invalid URL (GET /models)", (string)without.Json["error"]!["message"]!);
        Assert.Equal(HttpStatusCode.OK, with.Status);
    }

    [Fact]
    public async Task An_unknown_auth_header_is_refused_at_start()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKeyHeader = "X-Token" }));

        Assert.Contains("RequiredApiKeyHeader 'X-Token' is not Authorization, x-api-key or api-key", error.Message);
    }
}
