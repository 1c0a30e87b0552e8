using System.ClientModel;
using System.ClientModel.Primitives;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using OpenAI;

namespace CompatAI.Tests.Wire;

/// <summary><c>UseCompatWireRepairs</c> on an application's own OpenAI SDK client, with the key passed as an <see cref="ApiKeyCredential"/>.</summary>
public sealed class CompatWireRepairsOpenAIClientOptionsExtensionsTests
{
    private static IChatClient Client(LoopbackServer server, ProviderProfile profile, string? endpointSuffix = null) =>
        new OpenAIClient(
                new ApiKeyCredential(ClientFactory.TestKey),
                new OpenAIClientOptions { Endpoint = new Uri(server.V1 + (endpointSuffix ?? string.Empty)), RetryPolicy = new ClientRetryPolicy(0) }.UseCompatWireRepairs(profile))
            .GetChatClient("m")
            .AsIChatClient();

    [Theory]
    [InlineData(ProviderAuthStyle.XApiKey, null, "x-api-key")]
    [InlineData(ProviderAuthStyle.ApiKey, null, "api-key")]
    [InlineData(ProviderAuthStyle.Header, "X-Goog-Api-Key", "X-Goog-Api-Key")]
    public async Task The_credentials_key_moves_into_the_providers_header(ProviderAuthStyle style, string? headerName, string expectedHeader)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Fixtures.Text("groq-tool-call-nonstream.json")));

        await Client(server, ClientFactory.TestProfile("p", style, headerName)).GetResponseAsync("hi");

        var headers = server.LastRequest.Headers;
        Assert.Equal(ClientFactory.TestKey, headers[expectedHeader]);
        Assert.False(headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task A_provider_without_auth_gets_no_key_and_bearer_stays_bearer()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Fixtures.Text("groq-tool-call-nonstream.json"))).Enqueue(ScriptedResponse.Json(Fixtures.Text("groq-tool-call-nonstream.json")));

        await Client(server, ClientFactory.TestProfile("none", ProviderAuthStyle.None)).GetResponseAsync("hi");
        Assert.DoesNotContain(server.Requests[0].Headers.Values, v => v.Contains(ClientFactory.TestKey, StringComparison.Ordinal));

        await Client(server, ClientFactory.TestProfile("bearer")).GetResponseAsync("hi");
        Assert.Equal($"Bearer {ClientFactory.TestKey}", server.Requests[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task The_endpoint_may_end_in_chat_completions_and_the_profiles_headers_are_sent()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Fixtures.Text("groq-tool-call-nonstream.json")));
        var profile = ClientFactory.TestProfile("p", headers: new() { ["HTTP-Referer"] = "https://example.test" });

        await Client(server, profile, "/chat/completions").GetResponseAsync("hi");

        Assert.Equal("/v1/chat/completions", server.LastRequest.Path);
        Assert.Equal("https://example.test", server.LastRequest.Headers["HTTP-Referer"]);
    }

    [Fact]
    public async Task An_error_is_a_provider_exception_without_the_key_even_when_the_body_echoes_it()
    {
        await using var server = await LoopbackServer.StartAsync();
        var body = $$$"""{"error":{"message":"Incorrect API key provided: {{{ClientFactory.TestKey}}}","type":"invalid_request_error","code":"invalid_api_key"}}""";
        server.Enqueue(ScriptedResponse.Json(body, status: 401));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => Client(server, ClientFactory.TestProfile("p", ProviderAuthStyle.XApiKey)).GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.Authentication, ex.Kind);
        Assert.Equal("p", ex.ProviderName);
        Assert.DoesNotContain(ClientFactory.TestKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ClientFactory.TestKey, ex.ResponseBody ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalog_name_is_looked_up_and_an_unknown_one_is_named()
    {
        var options = new OpenAIClientOptions().UseCompatWireRepairs("groq");
        Assert.Equal(ProviderCatalog.Default.Get("groq").BaseUrl!.ToString().TrimEnd('/'), options.Endpoint!.ToString().TrimEnd('/'));
        var ex = Assert.Throws<ArgumentException>(() => new OpenAIClientOptions().UseCompatWireRepairs("nope"));
        Assert.Contains("'nope'", ex.Message, StringComparison.Ordinal);
    }
}
