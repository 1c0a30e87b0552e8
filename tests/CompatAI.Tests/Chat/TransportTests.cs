using CompatAI;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Chat;

/// <summary>Endpoint, authentication, headers, timeouts, retries and connection failures, over real loopback HTTP.</summary>
public sealed class TransportTests
{
    private static readonly string s_ok = Fixtures.Text("deepseek-reasoner-nonstream.json");

    private static OpenAICompatibleChatClient ForProfile(LoopbackServer server, ProviderProfile profile, string? key = ClientFactory.TestKey, Uri? endpoint = null) =>
        new(new CompatChatClientOptions
        {
            Provider = profile.Name,
            Catalog = ProviderCatalog.Default.With(profile),
            Endpoint = endpoint ?? server.V1,
            ApiKey = key,
            Retry = new RetryOptions { MaxRetries = 0 },
        });

    [Theory]
    [InlineData("http://h/v1")]
    [InlineData("http://h/v1/")]
    [InlineData("http://h/v1/chat/completions")]
    [InlineData("http://h/v1/chat/completions/")]
    public async Task Base_url_with_or_without_chat_completions_reaches_the_same_path(string configured)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        var endpoint = new Uri(configured.Replace("http://h", server.BaseUrl.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal));
        using var client = ClientFactory.For(server, configure: o => o.Endpoint = endpoint);

        await client.GetResponseAsync("hi");

        Assert.Equal("/v1/chat/completions", server.LastRequest.Path);
    }

    [Theory]
    [InlineData(ProviderAuthStyle.Bearer, null, "Authorization", "Bearer " + ClientFactory.TestKey)]
    [InlineData(ProviderAuthStyle.XApiKey, null, "x-api-key", ClientFactory.TestKey)]
    [InlineData(ProviderAuthStyle.ApiKey, null, "api-key", ClientFactory.TestKey)]
    [InlineData(ProviderAuthStyle.Header, "X-Tenant-Key", "X-Tenant-Key", ClientFactory.TestKey)]
    public async Task Each_auth_style_sends_the_key_in_its_header_and_nowhere_else(ProviderAuthStyle style, string? headerName, string expectedHeader, string expectedValue)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = ForProfile(server, ClientFactory.TestProfile("authtest", style, headerName));

        await client.GetResponseAsync("hi");

        var request = server.LastRequest;
        Assert.Equal(expectedValue, request.Headers[expectedHeader]);
        var carriers = request.Headers.Where(h => h.Value.Contains(ClientFactory.TestKey, StringComparison.Ordinal)).Select(h => h.Key).ToList();
        Assert.Equal([expectedHeader], carriers, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain(ClientFactory.TestKey, request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_style_none_sends_no_credential_even_when_a_key_is_configured()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = ForProfile(server, ClientFactory.TestProfile("local", ProviderAuthStyle.None));

        await client.GetResponseAsync("hi");

        Assert.DoesNotContain(server.LastRequest.Headers, h => h.Value.Contains(ClientFactory.TestKey, StringComparison.Ordinal));
        Assert.False(server.LastRequest.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Profile_and_caller_headers_are_sent_on_every_request()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = ClientFactory.For(server, provider: "openrouter", configure: o => o.Headers["X-Trace"] = "abc");

        await client.GetResponseAsync("hi");

        var headers = server.LastRequest.Headers;
        var profile = ProviderCatalog.Default.Get("openrouter");
        Assert.NotEmpty(profile.Headers);
        foreach (var (name, value) in profile.Headers)
        {
            Assert.Equal(value, headers[name]);
        }

        Assert.Equal("abc", headers["X-Trace"]);
    }

    [Fact]
    public async Task Force_http11_pins_the_request_version_also_over_the_callers_http_client()
    {
        var seen = new List<(Version Version, HttpVersionPolicy Policy)>();
        using var http = new HttpClient(new CapturingHandler(r => seen.Add((r.Version, r.VersionPolicy))));
        var dashscope = new OpenAICompatibleChatClient(new CompatChatClientOptions { Provider = "dashscope", ApiKey = "k", Endpoint = new Uri("http://127.0.0.1:9/v1"), HttpClient = http });
        var groq = new OpenAICompatibleChatClient(new CompatChatClientOptions { Provider = "groq", ApiKey = "k", Endpoint = new Uri("http://127.0.0.1:9/v1"), HttpClient = http });

        // The capturing handler answers 200 with an empty body, which is not a completion.
        await Assert.ThrowsAsync<ProviderException>(() => dashscope.GetResponseAsync("hi"));
        await Assert.ThrowsAsync<ProviderException>(() => groq.GetResponseAsync("hi"));

        Assert.Equal((System.Net.HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact), seen[0]);
        Assert.NotEqual(HttpVersionPolicy.RequestVersionExact, seen[^1].Policy);
    }

    [Fact]
    public async Task Hanging_provider_fails_with_a_timeout_error_after_the_configured_timeout()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Hang = true });
        using var client = ClientFactory.For(server, timeout: TimeSpan.FromMilliseconds(300));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.Timeout, ex.Kind);
    }

    [Fact]
    public async Task Caller_cancellation_is_an_OperationCanceledException_not_a_provider_error()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Hang = true });
        using var client = ClientFactory.For(server);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Connection_refused_is_unavailable()
    {
        int port;
        await using (var server = await LoopbackServer.StartAsync())
        {
            port = server.BaseUrl.Port;
        }

        using var client = new OpenAICompatibleChatClient(new CompatChatClientOptions
        {
            Provider = "openai",
            Endpoint = new Uri($"http://127.0.0.1:{port}/v1"),
            ApiKey = ClientFactory.TestKey,
            Retry = new RetryOptions { MaxRetries = 0 },
        });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Equal(ProviderErrorKind.Unavailable, ex.Kind);
        Assert.Null(ex.StatusCode);
    }

    [Fact]
    public async Task Connection_cut_mid_stream_throws_stream_interrupted_after_the_text_so_far()
    {
        var sse = Fixtures.Text("deepseek-reasoner-stream.sse");
        var cut = sse[..(sse.Length / 2)];
        cut = cut[..(cut.LastIndexOf("\n\n", StringComparison.Ordinal) + 2)];
        var clientHasOutput = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(new ScriptedResponse { ContentType = "text/event-stream", Body = cut, AbortAfterBody = true, AbortWhen = clientHasOutput.Task });
        using var client = ClientFactory.For(server);

        var updates = new List<ChatResponseUpdate>();
        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                updates.Add(update);
                clientHasOutput.TrySetResult(); // the connection is cut only after output has reached the caller
            }
        });

        Assert.Equal(ProviderErrorKind.StreamInterrupted, ex.Kind);
        Assert.NotEmpty(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>());
    }

    [Fact]
    public async Task Stream_split_at_every_few_bytes_gives_the_same_answer()
    {
        var sse = Fixtures.Text("together-r1-think-tag-split-across-chunks-reconstructed.sse");
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse));
        server.Enqueue(new ScriptedResponse { ContentType = "text/event-stream", Pieces = [.. sse.Chunk(7).Select(c => new string(c))] });
        using var client = ClientFactory.For(server);

        var whole = string.Concat((await client.GetStreamingResponseAsync("hi").ToListAsync()).Select(u => u.Text));
        var pieces = string.Concat((await client.GetStreamingResponseAsync("hi").ToListAsync()).Select(u => u.Text));

        Assert.NotEmpty(whole);
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public async Task Retry_after_longer_than_the_cap_fails_at_once_and_reports_the_wait()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Status = 429, Headers = { ["retry-after"] = "120" }, Body = """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""" });
        using var client = ClientFactory.For(server, retries: 3);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.RateLimited, ex.Kind);
        Assert.Equal(TimeSpan.FromSeconds(120), ex.RetryAfter);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_every_attempt_is_reported_when_all_fail()
    {
        await using var server = await LoopbackServer.StartAsync();
        var overloaded = Fixtures.ToResponse("openai-error-503-model-overloaded.json");
        server.Enqueue(overloaded).Enqueue(overloaded).Enqueue(overloaded);
        using var client = ClientFactory.For(server, retries: 2);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(ProviderErrorKind.Unavailable, ex.Kind);
        Assert.Equal(3, ex.Attempts.Count);
    }

    [Fact]
    public async Task Transient_failure_then_success_returns_the_answer()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(Fixtures.ToResponse("openai-error-500-server-error.json")).Enqueue(ScriptedResponse.Json(s_ok));
        using var client = ClientFactory.For(server, retries: 2);

        var response = await client.GetResponseAsync("hi");

        Assert.Equal(2, server.Requests.Count);
        Assert.NotEmpty(response.Text);
    }

    [Fact]
    public async Task Invalid_requests_are_never_retried()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(Fixtures.ToResponse("groq-error-400-n-greater-than-1.json")).Enqueue(ScriptedResponse.Json(s_ok));
        using var client = ClientFactory.For(server, retries: 3);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.InvalidRequest, ex.Kind);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Api_key_echoed_in_an_error_body_never_reaches_the_exception()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Status = 401, ContentType = "text/plain", Body = $"invalid key {ClientFactory.TestKey} for Authorization: Bearer {ClientFactory.TestKey}" });
        using var client = ClientFactory.For(server);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.Authentication, ex.Kind);
        Assert.DoesNotContain(ClientFactory.TestKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ClientFactory.TestKey, ex.ResponseBody!, StringComparison.Ordinal);
        Assert.Contains(SecretRedactor.Mask, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_error_page_of_a_gateway_is_parsed_into_a_readable_message()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Status = 502, ContentType = "text/html", Body = "<html><body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>" });
        using var client = ClientFactory.For(server);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.Unavailable, ex.Kind);
        Assert.Contains("502 Bad Gateway", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("<h1>", ex.Message, StringComparison.Ordinal);
    }

    private sealed class CapturingHandler(Action<HttpRequestMessage> onSend) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend(request);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
