using System.Net;
using System.Text.Json.Nodes;

namespace CompatAI.Emulator.Tests;

public sealed class FaultTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private Task<Wire.Reply> HelloAsync(string personality = "openai", bool stream = false, params (string, string)[] headers) =>
        Wire.ChatAsync(_emulator, personality, Wire.UserChat(_emulator.Personalities.Contains(personality) ? ModelFor(personality) : "m", "one two three four", stream), headers);

    private static string ModelFor(string personality) => personality switch
    {
        "groq" => "llama-3.3-70b-versatile",
        "vllm" => "meta-llama/Llama-3.1-8B-Instruct",
        "openrouter" => "openai/gpt-4o-mini",
        "mistral" => "mistral-small-latest",
        "llamacpp" => "ggml-org/gemma-3-4b-it-GGUF",
        _ => "gpt-4o-mini",
    };

    [Fact]
    public async Task Status_fault_answers_the_personality_body_with_retry_headers_once()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.WithStatus(429, TimeSpan.FromMilliseconds(1500)));

        var failed = await HelloAsync();
        var next = await HelloAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, failed.Status);
        Assert.Equal("2", failed.Message.Header("Retry-After"));
        Assert.Equal("1500", failed.Message.Header("retry-after-ms"));
        Assert.Equal("rate_limit_exceeded", failed.Json["error"]!["code"].S());
        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task Status_fault_repeats_for_Times_requests_and_star_matches_any_personality()
    {
        _emulator.EnqueueFault("*", new EmulatorFault { StatusCode = 503, Times = 2 });

        var first = await HelloAsync("groq");
        var second = await HelloAsync("openrouter");
        var third = await HelloAsync("groq");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Status);
        Assert.Equal("""{"error":{"message":"Service Unavailable","type":"internal_server_error"}}""", first.Body);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.Status);
        Assert.Equal(503, second.Json["error"]!["code"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, third.Status);
    }

    [Theory]
    [InlineData("openai", 500, """{"error":{"message":"The server experienced an error while processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if the error persists.","type":"server_error","param":null,"code":null}}""")]
    [InlineData("openai", 503, """{"error":{"message":"That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists. (Please include the request ID 500d9fff2057e4af93a280f67002c342 in your message.)","type":"server_error","param":null,"code":null}}""")]
    [InlineData("openrouter", 429, """{"error":{"message":"Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day","code":429,"metadata":{"headers":{"X-RateLimit-Limit":"50","X-RateLimit-Remaining":"0"}}}}""")]
    [InlineData("mistral", 429, """{"object":"error","message":"Requests rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}""")]
    [InlineData("vllm", 500, """{"error":{"message":"Internal server error.","type":"InternalServerError","param":null,"code":500}}""")]
    [InlineData("llamacpp", 503, """{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}""")]
    public async Task Status_faults_use_each_personality_error_shape(string personality, int status, string expected)
    {
        _emulator.EnqueueFault(personality, EmulatorFault.WithStatus(status));
        var reply = await HelloAsync(personality);

        Assert.Equal((HttpStatusCode)status, reply.Status);
        Assert.Equal(expected, reply.Body);
    }

    [Fact]
    public async Task Reset_fault_breaks_the_connection()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.Reset());

        await Assert.ThrowsAsync<HttpRequestException>(() => HelloAsync());
        Assert.Equal(HttpStatusCode.OK, (await HelloAsync()).Status);
    }

    [Fact]
    public async Task Hang_fault_never_answers_until_the_client_cancels()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.HangForever());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Wire.SendAsync(HttpMethod.Post,
            new Uri(_emulator.GetEndpoint("openai"), "chat/completions"), Wire.UserChat("gpt-4o-mini", "hi"), cancellationToken: cts.Token));
        Assert.Equal(HttpStatusCode.OK, (await HelloAsync()).Status);
    }

    [Fact]
    public async Task Hang_with_a_delay_aborts_the_connection_after_it()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.HangForever(TimeSpan.FromMilliseconds(50)));
        await Assert.ThrowsAsync<HttpRequestException>(() => HelloAsync());
    }

    [Fact]
    public async Task Slow_first_byte_delays_the_answer_past_a_short_client_timeout()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.SlowStart(TimeSpan.FromSeconds(30)));
        using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(150) };
        using var content = new StringContent(Wire.UserChat("gpt-4o-mini", "hi"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PostAsync(new Uri(_emulator.GetEndpoint("openai"), "chat/completions"), content));
    }

    [Fact]
    public async Task Slow_first_byte_then_answers_normally()
    {
        var reply = await HelloAsync(headers: ("X-Emulator-Fault", "slow-first-byte=20ms"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("You said: one two three four", reply.Json["choices"]![0]!["message"]!["content"].S());
    }

    [Fact]
    public async Task Cut_fault_ends_the_stream_after_N_data_events_without_done()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.CutAfter(3));
        var reply = await HelloAsync(stream: true);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(3, reply.DataEvents.Count);
        Assert.False(reply.EndsWithDone);
        Assert.All(reply.Chunks, c => Assert.Null(c["choices"]![0]!["finish_reason"]));
    }

    [Fact]
    public async Task Cut_fault_beyond_the_stream_length_still_drops_done()
    {
        var reply = await HelloAsync(stream: true, headers: ("X-Emulator-Fault", "cut-after=1000"));
        Assert.False(reply.EndsWithDone);
        Assert.Equal("stop", reply.Chunks[^1]["choices"]![0]!["finish_reason"].S());
    }

    [Fact]
    public async Task Error_mid_stream_sends_the_error_event_after_N_chunks()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.ErrorAfter(2));
        var reply = await HelloAsync(stream: true);

        Assert.Equal(3, reply.DataEvents.Count);
        Assert.StartsWith("{\"error\":", reply.DataEvents[2], StringComparison.Ordinal);
        Assert.Equal("server_error", reply.Chunks[2]["error"]!["type"].S());
        Assert.False(reply.EndsWithDone);
    }

    [Fact]
    public async Task Vllm_error_mid_stream_uses_the_legacy_object_error_then_done()
    {
        var reply = await HelloAsync("vllm", stream: true, headers: ("X-Emulator-Fault", "error-after=1"));

        Assert.Equal(3, reply.DataEvents.Count);
        Assert.Equal("error", reply.Chunks[1]["error"]!["object"].S());
        Assert.True(reply.EndsWithDone);
    }

    [Fact]
    public async Task OpenRouter_error_mid_stream_carries_finish_reason_error()
    {
        var reply = await HelloAsync("openrouter", stream: true, headers: ("X-Emulator-Fault", "error-after=2"));
        var error = reply.Chunks[^1];

        Assert.Equal(502, error["error"]!["code"]!.GetValue<int>());
        Assert.Equal("error", error["choices"]![0]!["finish_reason"].S());
        Assert.Contains(": OPENROUTER PROCESSING", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Groq_error_mid_stream_is_an_error_event()
    {
        var reply = await HelloAsync("groq", stream: true, headers: ("X-Emulator-Fault", "error-after=0"));
        Assert.StartsWith("event: error\ndata: {\"error\":", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mid_stream_faults_on_non_streaming_requests_truncate_or_fail_the_body()
    {
        var cut = await Record.ExceptionAsync(() => HelloAsync(headers: ("X-Emulator-Fault", "cut-after=1")));
        var error = await HelloAsync(headers: ("X-Emulator-Fault", "error-after=1"));

        Assert.True(cut is HttpRequestException or IOException, $"unexpected {cut?.GetType().Name ?? "success"}");
        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
    }

    [Fact]
    public async Task Header_faults_cover_status_reset_and_hang()
    {
        var status = await HelloAsync("groq", headers: ("X-Emulator-Fault", "status=429;retry-after=2"));
        var reset = await Record.ExceptionAsync(() => HelloAsync(headers: ("X-Emulator-Fault", "reset")));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var hang = await Record.ExceptionAsync(() => Wire.SendAsync(HttpMethod.Post, new Uri(_emulator.GetEndpoint("openai"), "chat/completions"),
            Wire.UserChat("gpt-4o-mini", "hi"), [("X-Emulator-Fault", "hang")], cts.Token));

        Assert.Equal(HttpStatusCode.TooManyRequests, status.Status);
        Assert.Equal("2", status.Message.Header("Retry-After"));
        Assert.Equal("2000", status.Message.Header("retry-after-ms"));
        Assert.Equal("rate_limit_exceeded", status.Json["error"]!["code"].S());
        Assert.IsType<HttpRequestException>(reset);
        Assert.IsAssignableFrom<OperationCanceledException>(hang);
    }

    [Fact]
    public async Task Header_fault_takes_precedence_and_leaves_queued_faults_in_place()
    {
        _emulator.EnqueueFault("openai", EmulatorFault.WithStatus(500));

        var viaHeader = await HelloAsync(headers: ("X-Emulator-Fault", "status=418"));
        var queued = await HelloAsync();

        Assert.Equal((HttpStatusCode)418, viaHeader.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, queued.Status);
    }

    [Theory]
    [InlineData("explode", "unknown fault 'explode'")]
    [InlineData("status=abc", "'status' needs an HTTP status code")]
    [InlineData("retry-after=2", "'retry-after' needs 'status=<code>'")]
    [InlineData("slow-first-byte=soon", "'slow-first-byte' needs a duration")]
    [InlineData("cut-after=-1", "'cut-after' needs a non-negative chunk count")]
    public async Task Invalid_fault_header_is_a_400_naming_the_problem(string header, string problem)
    {
        var reply = await HelloAsync(headers: ("X-Emulator-Fault", header));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(problem, reply.Json["error"]!["message"].S(), StringComparison.Ordinal);
    }

    [Fact]
    public void EnqueueFault_rejects_unknown_personalities_and_bad_counts()
    {
        Assert.Throws<ArgumentException>(() => _emulator.EnqueueFault("nope", EmulatorFault.Reset()));
        Assert.Throws<ArgumentOutOfRangeException>(() => _emulator.EnqueueFault("openai", new EmulatorFault { Times = 0 }));
        Assert.Throws<ArgumentNullException>(() => _emulator.EnqueueFault("openai", null!));
    }

    [Fact]
    public async Task Chunk_delay_option_still_streams_the_full_answer()
    {
        await using var slow = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { StreamChunkDelay = TimeSpan.FromMilliseconds(1) });
        var reply = await Wire.ChatAsync(slow, "openai", Wire.UserChat("gpt-4o-mini", "a b", stream: true));

        Assert.Equal("You said: a b", reply.StreamedContent);
        Assert.True(reply.EndsWithDone);
        Assert.IsType<JsonObject>(reply.Chunks[0]);
    }
}
