using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests;

/// <summary>The SSE wire: usage only when asked, reasoning as reasoning_content, errors before and after output, client disconnects.</summary>
public sealed class StreamingTests : IAsyncLifetime
{
    private GatewayServer _server = null!;
    private TestProviders.FaultAdapter _faults = null!;

    public async Task InitializeAsync()
    {
        _faults = TestProviders.Faults();
        _server = await GatewayServer.StartAsync(configure: g => g.AddAdapter("faults", _faults).AddAdapter("eager", new EagerFailingAdapter()));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string json, HttpCompletionOption option = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return _server.Http.SendAsync(request, option, cancellationToken);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Usage_chunk_is_sent_only_when_include_usage_is_set(bool includeUsage)
    {
        var options = includeUsage ? ""","stream_options":{"include_usage":true}""" : string.Empty;
        using var response = await PostAsync($$"""{"model":"echo/echo-1","stream":true{{options}},"messages":[{"role":"user","content":"one two three"}]}""");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await Sse.ReadAllAsync(response);
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events.Take(events.Count - 1).Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();
        var text = string.Concat(chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : string.Empty));
        Assert.Equal("one two three", text);
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var withUsage = chunks.Where(c => c.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object).ToList();
        if (includeUsage)
        {
            var usage = Assert.Single(withUsage);
            Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
            Assert.Equal(3, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }
        else
        {
            Assert.Empty(withUsage);
        }
    }

    [Fact]
    public async Task Reasoning_goes_out_as_reasoning_content_in_json_and_in_deltas()
    {
        using var json = await PostAsync("""{"model":"faults/reasoning","messages":[{"role":"user","content":"q"}]}""");
        var body = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement;
        var message = body.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("Let me think.", message.GetProperty("reasoning_content").GetString());
        Assert.Equal("42", message.GetProperty("content").GetString());
        Assert.Equal(2, body.GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal(1, body.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());

        using var stream = await PostAsync("""{"model":"faults/reasoning","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"q"}]}""");
        var events = await Sse.ReadAllAsync(stream);
        var deltas = events.Where(e => e.Data != "[DONE]").Select(e => JsonDocument.Parse(e.Data).RootElement)
            .SelectMany(c => c.GetProperty("choices").EnumerateArray()).Select(c => c.GetProperty("delta")).ToList();
        Assert.Equal("Let me think.", string.Concat(deltas.Select(d => d.TryGetProperty("reasoning_content", out var r) ? r.GetString() : null)));
        Assert.Equal("42", string.Concat(deltas.Select(d => d.TryGetProperty("content", out var c) ? c.GetString() : null)));
        Assert.Equal("[DONE]", events[^1].Data);
    }

    [Fact]
    public async Task Failure_before_output_is_a_plain_http_error_with_retry_after()
    {
        using var response = await PostAsync("""{"model":"faults/rate-limited","stream":true,"messages":[{"role":"user","content":"q"}]}""");
        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("faults", response.Headers.GetValues("x-compat-provider").Single());
    }

    [Fact]
    public async Task Failure_after_output_ends_with_an_error_event_and_no_done()
    {
        using var response = await PostAsync("""{"model":"faults/breaks-mid-stream","stream":true,"messages":[{"role":"user","content":"q"}]}""", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        var events = await Sse.ReadAllAsync(response);
        Assert.DoesNotContain(events, e => e.Data == "[DONE]");
        var last = events[^1];
        Assert.Equal("error", last.EventType);
        var error = JsonDocument.Parse(last.Data).RootElement.GetProperty("error");
        Assert.Equal("stream_interrupted", error.GetProperty("code").GetString());
        Assert.Contains("partial ", events.Select(e => e.Data).First(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provider_error_without_status_maps_from_its_kind()
    {
        using var response = await PostAsync("""{"model":"faults/no-status","messages":[{"role":"user","content":"q"}]}""");
        Assert.Equal(504, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("timeout_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Client_disconnect_cancels_the_upstream_request()
    {
        using var cts = new CancellationTokenSource();
        var response = await PostAsync("""{"model":"faults/hang","stream":true,"messages":[{"role":"user","content":"q"}]}""", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        var buffer = new byte[256];
        var read = await stream.ReadAsync(buffer, cts.Token);
        Assert.Contains("first", Encoding.UTF8.GetString(buffer, 0, read), StringComparison.Ordinal);
        await _faults.HangStarted.WaitAsync(TimeSpan.FromSeconds(10));

        // Walk away mid-stream: the provider's token must fire.
        cts.Cancel();
        response.Dispose();
        await _faults.HangCancelled.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Json_response_has_openai_shape_and_gateway_headers()
    {
        using var response = await PostAsync("""{"model":"echo/echo-1","messages":[{"role":"user","content":[{"type":"text","text":"part one"},{"type":"text","text":" and two"}]}]}""");
        Assert.Equal(200, (int)response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("part one and two", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("echo", response.Headers.GetValues("x-compat-provider").Single());
        var overhead = double.Parse(response.Headers.GetValues("x-compat-overhead-ms").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(overhead >= 0);
    }

    [Fact]
    public async Task Health_and_unknown_echo_model()
    {
        using var health = await _server.Http.GetAsync("healthz");
        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());

        using var unknown = await PostAsync("""{"model":"echo/echo-9","messages":[{"role":"user","content":"q"}]}""");
        Assert.Equal(404, (int)unknown.StatusCode);
        Assert.Equal("model_not_found", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Adapter_failing_before_returning_its_stream_still_gets_a_proper_error(bool stream)
    {
        using var response = await PostAsync($$"""{"model":"eager/x","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"q"}]}""");
        Assert.Equal(403, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("permission_error", error.GetProperty("type").GetString());
        Assert.Equal("no_access", error.GetProperty("code").GetString());
    }

    /// <summary>Throws from the call itself, not from inside an async iterator or task.</summary>
    private sealed class EagerFailingAdapter : CompatAI.Gateway.Adapters.IGatewayAdapter
    {
        public Task<IReadOnlyList<string>> ListModelsAsync(CompatAI.Gateway.Adapters.GatewayRequestContext context, CancellationToken cancellationToken) => throw Error();

        public Task<Microsoft.Extensions.AI.ChatResponse> CompleteAsync(CompatAI.Gateway.Adapters.GatewayChatRequest request, CancellationToken cancellationToken) => throw Error();

        public IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> StreamAsync(CompatAI.Gateway.Adapters.GatewayChatRequest request, CancellationToken cancellationToken) => throw Error();

        private static ProviderException Error() => new("eager", ProviderErrorKind.PermissionDenied, "This key may not use that model.", 403, "no_access");
    }
}
