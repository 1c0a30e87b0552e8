using System.Net;
using System.Text.Json.Nodes;

namespace CompatAI.Emulator.Tests;

public sealed class RoutingAndRecordingTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public void Starts_on_an_ephemeral_loopback_port_and_builds_endpoints()
    {
        Assert.Equal("127.0.0.1", _emulator.BaseUrl.Host);
        Assert.NotEqual(0, _emulator.BaseUrl.Port);
        Assert.Equal("/", _emulator.BaseUrl.AbsolutePath);
        Assert.Equal(new Uri(_emulator.BaseUrl, "groq/v1/"), _emulator.GetEndpoint("groq"));
        Assert.Equal(new Uri(_emulator.BaseUrl, "groq/v1/"), _emulator.GetEndpoint("GROQ"));
        Assert.Equal(["openai", "groq", "deepseek", "openrouter", "mistral", "minimax", "perplexity", "vllm", "llamacpp", "lmstudio", "litellm"], _emulator.Personalities);
        Assert.Throws<ArgumentException>(() => _emulator.GetEndpoint("nope"));
    }

    [Fact]
    public async Task Two_emulators_run_side_by_side_on_different_ports()
    {
        await using var other = await ProviderEmulator.StartAsync();
        Assert.NotEqual(_emulator.BaseUrl.Port, other.BaseUrl.Port);
        Assert.Equal(HttpStatusCode.OK, (await Wire.SendAsync(HttpMethod.Get, new Uri(other.BaseUrl, "healthz"))).Status);
    }

    [Fact]
    public async Task Healthz_answers_ok()
    {
        var reply = await Wire.SendAsync(HttpMethod.Get, new Uri(_emulator.BaseUrl, "healthz"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("""{"status":"ok"}""", reply.Body);
    }

    [Fact]
    public async Task Models_list_has_the_openai_list_shape_with_realistic_ids()
    {
        var groq = await Wire.SendAsync(HttpMethod.Get, new Uri(_emulator.GetEndpoint("groq"), "models"));
        var deepseek = await Wire.SendAsync(HttpMethod.Get, new Uri(_emulator.GetEndpoint("deepseek"), "models"));

        var ids = ((JsonArray)groq.Json["data"]!).Select(m => m!["id"].S()).ToList();
        Assert.Contains("llama-3.3-70b-versatile", ids);
        Assert.Contains("qwen/qwen3-32b", ids);
        Assert.Contains("deepseek-reasoner", ((JsonArray)deepseek.Json["data"]!).Select(m => m!["id"].S()));
        Assert.All((JsonArray)groq.Json["data"]!, m => Assert.True(m!["created"]!.GetValue<long>() > 0));
    }

    [Fact]
    public async Task OpenAI_and_Groq_send_their_rate_limit_headers()
    {
        var openai = await Wire.ChatAsync(_emulator, "openai", Wire.UserChat("gpt-4o-mini", "hi"));
        var groq = await Wire.ChatAsync(_emulator, "groq", Wire.UserChat("llama-3.3-70b-versatile", "hi", stream: true));

        Assert.Equal("9999", openai.Message.Header("x-ratelimit-remaining-requests"));
        Assert.Equal("0s", openai.Message.Header("x-ratelimit-reset-tokens"));
        Assert.Equal("14400", groq.Message.Header("x-ratelimit-limit-requests"));
        Assert.Equal("1.57s", groq.Message.Header("x-ratelimit-reset-tokens"));
    }

    [Fact]
    public async Task Unknown_personality_is_an_openai_shaped_404()
    {
        var reply = await Wire.SendAsync(HttpMethod.Post, new Uri(_emulator.BaseUrl, "nope/v1/chat/completions"), Wire.UserChat("m", "hi"));

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("unknown_personality", reply.Json["error"]!["code"].S());
        Assert.Contains("'nope'", reply.Json["error"]!["message"].S(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_route_is_a_404_in_the_personality_shape()
    {
        var reply = await Wire.SendAsync(HttpMethod.Post, new Uri(_emulator.GetEndpoint("mistral"), "audio/speech"), "{}");

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("error", reply.Json["object"].S());
        Assert.Equal("Invalid URL (POST /v1/audio/speech)", reply.Json["message"].S());
    }

    [Theory]
    [InlineData("openai", "We could not parse the JSON body of your request.")]
    [InlineData("groq", "The request body is not valid JSON.")]
    [InlineData("deepseek", "Failed to parse the request body as JSON")]
    public async Task Malformed_json_is_a_400_in_the_personality_shape(string personality, string messageStart)
    {
        var reply = await Wire.ChatAsync(_emulator, personality, "{\"model\": ");

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.StartsWith(messageStart, reply.Json["error"]!["message"].S(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_messages_is_a_400()
    {
        var reply = await Wire.ChatAsync(_emulator, "openai", """{"model":"gpt-4o-mini"}""");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("messages", reply.Json["error"]!["param"].S());
    }

    [Fact]
    public async Task Perplexity_path_without_v1_is_accepted_too()
    {
        var reply = await Wire.SendAsync(HttpMethod.Post, new Uri(_emulator.BaseUrl, "perplexity/chat/completions"), Wire.UserChat("sonar", "hi"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task Every_request_is_recorded_with_personality_method_path_headers_and_body()
    {
        _emulator.ClearRequests();
        var body = Wire.UserChat("gpt-4o-mini", "record me");
        await Wire.ChatAsync(_emulator, "openai", body, ("Authorization", "Bearer test-key"), ("X-Custom", "a"));
        await Wire.SendAsync(HttpMethod.Get, new Uri(_emulator.GetEndpoint("groq"), "models?x=1"));
        await Wire.SendAsync(HttpMethod.Get, new Uri(_emulator.BaseUrl, "healthz"));

        var requests = _emulator.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal(new RecordedRequest("openai", "POST", "/openai/v1/chat/completions", requests[0].Headers, body), requests[0]);
        Assert.Equal("Bearer test-key", requests[0].Headers["authorization"]);
        Assert.Equal("a", requests[0].Headers["X-Custom"]);
        Assert.StartsWith("application/json", requests[0].Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(("groq", "GET", "/groq/v1/models?x=1", ""), (requests[1].Personality, requests[1].Method, requests[1].Path, requests[1].Body));
        Assert.Equal(string.Empty, requests[2].Personality);

        _emulator.ClearRequests();
        Assert.Empty(_emulator.Requests);
    }

    [Fact]
    public async Task Faulted_and_rejected_requests_are_recorded_too()
    {
        _emulator.ClearRequests();
        _emulator.EnqueueFault("groq", EmulatorFault.Reset());
        await Record.ExceptionAsync(() => Wire.ChatAsync(_emulator, "groq", Wire.UserChat("llama-3.3-70b-versatile", "x")));
        await Wire.ChatAsync(_emulator, "groq", Wire.UserChat("llama-3.3-70b-versatile", "x", extra: "\"n\":3,"));

        Assert.Equal(2, _emulator.Requests.Count);
        Assert.Contains("\"n\":3", _emulator.Requests[1].Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai", """{"error":{"message":"Incorrect API key provided: ********. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""")]
    [InlineData("groq", """{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}""")]
    [InlineData("vllm", """{"error":"Unauthorized"}""")]
    [InlineData("llamacpp", """{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}""")]
    public async Task Required_api_key_is_enforced_with_the_personality_401_body(string personality, string expected)
    {
        await using var secured = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKey = "sk-secret-123" });
        var body = Wire.UserChat("m", "hi");

        var missing = await Wire.ChatAsync(secured, personality, body);
        var wrong = await Wire.ChatAsync(secured, personality, body, ("Authorization", "Bearer sk-wrong"));
        var bearer = await Wire.ChatAsync(secured, personality, body, ("Authorization", "Bearer sk-secret-123"));
        var apiKey = await Wire.ChatAsync(secured, personality, body, ("api-key", "sk-secret-123"));
        var xApiKey = await Wire.ChatAsync(secured, personality, body, ("x-api-key", "sk-secret-123"));

        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Equal(expected, missing.Body);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.DoesNotContain("sk-wrong", wrong.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bearer.Status);
        Assert.Equal(HttpStatusCode.OK, apiKey.Status);
        Assert.Equal(HttpStatusCode.OK, xApiKey.Status);
    }

    [Fact]
    public async Task Disposing_releases_hanging_requests()
    {
        var emulator = await ProviderEmulator.StartAsync();
        emulator.EnqueueFault("openai", EmulatorFault.HangForever());
        var pending = Wire.ChatAsync(emulator, "openai", Wire.UserChat("gpt-4o-mini", "hi"));

        while (emulator.Requests.Count == 0)
        {
            await Task.Delay(5);
        }

        await emulator.DisposeAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => pending);
    }

    [Fact]
    public async Task Invalid_options_are_rejected_with_clear_errors()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Port = 70000 }));
        await Assert.ThrowsAsync<ArgumentException>(() => ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "not a host" }));
    }
}
