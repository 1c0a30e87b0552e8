using System.Runtime.CompilerServices;
using CompatAI;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Fallback;

public sealed class FallbackChatClientTests
{
    private static FakeChatClient Failing(string name, ProviderErrorKind kind, TimeSpan? retryAfter = null) => new()
    {
        Profile = new ProviderProfile { Name = name },
        DefaultModel = name + "-model",
        OnGet = (_, _, _) => Task.FromException<ChatResponse>(new ProviderException(name, kind, kind.ToString(), retryAfter: retryAfter)),
        OnStream = (_, _, _) => Throwing(new ProviderException(name, kind, kind.ToString(), retryAfter: retryAfter)),
    };

    private static FakeChatClient Working(string name) => new()
    {
        Profile = new ProviderProfile { Name = name },
        DefaultModel = name + "-model",
        OnGet = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "from " + name))),
    };

    private static async IAsyncEnumerable<ChatResponseUpdate> Throwing(Exception ex)
    {
        await Task.Yield();
        throw ex;
#pragma warning disable CS0162 // Unreachable: makes this an iterator.
        yield break;
#pragma warning restore CS0162
    }

    private static FallbackOptions NoBreaker(TimeProvider? time = null) => new() { CircuitBreaker = { Enabled = false }, TimeProvider = time ?? TimeProvider.System };

    [Theory]
    [InlineData(ProviderErrorKind.RateLimited)]
    [InlineData(ProviderErrorKind.QuotaExceeded)]
    [InlineData(ProviderErrorKind.InsufficientCredits)]
    [InlineData(ProviderErrorKind.ServerError)]
    [InlineData(ProviderErrorKind.Unavailable)]
    [InlineData(ProviderErrorKind.Timeout)]
    [InlineData(ProviderErrorKind.Authentication)]
    public async Task Falls_over_to_the_next_client_and_says_which_served(ProviderErrorKind kind)
    {
        using var client = new FallbackChatClient([Failing("groq", kind), Working("mistral")], NoBreaker());
        var response = await client.GetResponseAsync("hi");
        Assert.Equal("from mistral", response.Text);
        Assert.Equal("mistral", response.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal("mistral-model", response.AdditionalProperties[FallbackChatClient.ModelKey]);
        Assert.Equal(2, response.AdditionalProperties[FallbackChatClient.AttemptsKey]);
    }

    [Theory]
    [InlineData(ProviderErrorKind.InvalidRequest)]
    [InlineData(ProviderErrorKind.ContentFiltered)]
    [InlineData(ProviderErrorKind.ContextLengthExceeded)]
    public async Task Does_not_fall_over_on_errors_the_next_provider_would_share(ProviderErrorKind kind)
    {
        var second = Working("mistral");
        using var client = new FallbackChatClient([Failing("groq", kind), second], NoBreaker());
        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Equal(kind, ex.Kind);
        Assert.Empty(second.Calls);
    }

    [Fact]
    public async Task Context_length_errors_fall_over_when_asked()
    {
        var options = NoBreaker();
        options.FallOverOnContextLength = true;
        using var client = new FallbackChatClient([Failing("groq", ProviderErrorKind.ContextLengthExceeded), Working("mistral")], options);
        Assert.Equal("from mistral", (await client.GetResponseAsync("hi")).Text);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_a_reason_to_fall_over()
    {
        using var cts = new CancellationTokenSource();
        var first = new FakeChatClient { OnGet = (_, _, ct) => { cts.Cancel(); ct.ThrowIfCancellationRequested(); return Task.FromResult(new ChatResponse()); } };
        var second = Working("mistral");
        using var client = new FallbackChatClient([first, second], NoBreaker());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));
        Assert.Empty(second.Calls);
    }

    [Fact]
    public async Task When_every_client_fails_the_error_carries_each_attempt()
    {
        using var client = new FallbackChatClient([Failing("groq", ProviderErrorKind.RateLimited), Failing("mistral", ProviderErrorKind.ServerError)], NoBreaker());
        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Equal(["groq", "mistral"], ex.Attempts.Select(static a => a.ProviderName));
        Assert.Equal([ProviderErrorKind.RateLimited, ProviderErrorKind.ServerError], ex.Attempts.Select(static a => a.Kind));
        Assert.Contains("groq: RateLimited", ex.Message);
    }

    [Fact]
    public async Task Retry_after_puts_the_client_in_cooldown()
    {
        var time = new ManualTimeProvider();
        var first = Failing("groq", ProviderErrorKind.RateLimited, TimeSpan.FromSeconds(30));
        using var client = new FallbackChatClient([first, Working("mistral")], NoBreaker(time));
        await client.GetResponseAsync("hi");
        var second = await client.GetResponseAsync("hi");
        Assert.Single(first.Calls);
        Assert.Equal(1, second.AdditionalProperties![FallbackChatClient.AttemptsKey]);

        time.Advance(TimeSpan.FromSeconds(31));
        await client.GetResponseAsync("hi");
        Assert.Equal(2, first.Calls.Count);
    }

    [Fact]
    public async Task Circuit_breaker_skips_a_failing_client_and_probes_it_after_the_break()
    {
        var time = new ManualTimeProvider();
        var first = Failing("groq", ProviderErrorKind.ServerError);
        var options = new FallbackOptions { TimeProvider = time, CircuitBreaker = { MinimumThroughput = 2, FailureRatio = 0.5, BreakDuration = TimeSpan.FromSeconds(10) } };
        using var client = new FallbackChatClient([first, Working("mistral")], options);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("from mistral", (await client.GetResponseAsync("hi")).Text);
        }

        Assert.Equal(2, first.Calls.Count);
        time.Advance(TimeSpan.FromSeconds(11));
        await client.GetResponseAsync("hi");
        Assert.Equal(3, first.Calls.Count);
    }

    [Fact]
    public async Task Attempt_timeout_moves_on_to_the_next_client()
    {
        var hanging = new FakeChatClient { OnGet = async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); return new ChatResponse(); } };
        var options = NoBreaker();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(50);
        using var client = new FallbackChatClient([hanging, Working("mistral")], options);
        var response = await client.GetResponseAsync("hi");
        Assert.Equal("from mistral", response.Text);
    }

    private static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var result = new List<ChatResponseUpdate>();
        await foreach (var update in stream)
        {
            result.Add(update);
        }

        return result;
    }

    private static FakeChatClient Streaming(string name, IEnumerable<ChatResponseUpdate> updates, Exception? after = null) => new()
    {
        Profile = new ProviderProfile { Name = name },
        OnStream = (_, _, ct) => Stream(updates, after, ct),
    };

    private static async IAsyncEnumerable<ChatResponseUpdate> Stream(IEnumerable<ChatResponseUpdate> updates, Exception? after, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var update in updates)
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            yield return update;
        }

        if (after is not null)
        {
            throw after;
        }
    }

    [Fact]
    public async Task Stream_falls_over_before_the_first_update()
    {
        var second = Streaming("mistral", [new(ChatRole.Assistant, "hello"), new() { FinishReason = ChatFinishReason.Stop }]);
        using var client = new FallbackChatClient([Failing("groq", ProviderErrorKind.Unavailable), second], NoBreaker());
        var updates = await CollectAsync(client.GetStreamingResponseAsync("hi"));
        Assert.Equal("hello", string.Concat(updates.Select(static u => u.Text)));
        Assert.Equal("mistral", updates[0].AdditionalProperties![FallbackChatClient.ProviderKey]);
    }

    [Fact]
    public async Task Stream_failure_after_output_is_stream_interrupted_and_never_mixes_providers()
    {
        var first = Streaming("groq", [new(ChatRole.Assistant, "partial")], new HttpRequestException("connection reset"));
        var second = Streaming("mistral", [new(ChatRole.Assistant, "other"), new() { FinishReason = ChatFinishReason.Stop }]);
        using var client = new FallbackChatClient([first, second], NoBreaker());
        var received = new List<string>();
        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                received.Add(update.Text);
            }
        });
        Assert.Equal(ProviderErrorKind.StreamInterrupted, ex.Kind);
        Assert.Equal("groq", ex.ProviderName);
        Assert.Equal(["partial"], received);
        Assert.Empty(second.Calls);
    }

    [Fact]
    public async Task Stream_that_ends_without_a_finish_reason_is_an_error()
    {
        using var client = new FallbackChatClient([Streaming("groq", [new(ChatRole.Assistant, "cut")])], NoBreaker());
        var ex = await Assert.ThrowsAsync<ProviderException>(() => CollectAsync(client.GetStreamingResponseAsync("hi")));
        Assert.Equal(ProviderErrorKind.StreamInterrupted, ex.Kind);
        Assert.Contains("without a finish reason", ex.Message);
    }

    [Fact]
    public void Rejects_an_empty_chain_and_bad_options()
    {
        Assert.Throws<ArgumentException>(() => new FallbackChatClient([]));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FallbackChatClient([Working("a")], new FallbackOptions { CircuitBreaker = { MinimumThroughput = 1 } }));
        Assert.Contains("MinimumThroughput", ex.Message);
    }

    [Fact]
    public async Task Is_built_on_MEAI_FailoverChatClient_and_answers_GetService_for_its_own_types()
    {
        using var client = new FallbackChatClient([Working("groq"), Working("mistral")], NoBreaker());
        Assert.IsAssignableFrom<FailoverChatClient>(client);
        Assert.IsAssignableFrom<RoutingChatClient>(client);
        Assert.Same(client, client.GetService<FailoverChatClient>());
        Assert.Same(client, client.GetService<RoutingChatClient>());
        Assert.Same(client, client.GetService<FallbackChatClient>());

        // Anything else comes from the first client, as before.
        Assert.Equal("groq", client.GetService<ChatClientMetadata>()?.ProviderName);
        Assert.Equal("groq", client.GetService<ProviderProfile>()?.Name);
        Assert.Null(client.GetService<FallbackChatClient>(serviceKey: "other"));
        Assert.Equal("from groq", (await client.GetResponseAsync("hi")).Text);
    }

    [Fact]
    public async Task MEAI_MaximumAttemptsPerRequest_ends_the_chain_with_every_attempt_reported()
    {
        var second = Working("mistral");
        using var client = new FallbackChatClient([Failing("groq", ProviderErrorKind.ServerError), second], NoBreaker()) { MaximumAttemptsPerRequest = 1 };
        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Equal("fallback", ex.ProviderName);
        Assert.Equal(["groq"], ex.Attempts.Select(static a => a.ProviderName));
        Assert.Empty(second.Calls);
    }

    [Fact]
    public async Task MEAI_ordered_failover_treats_a_stream_without_updates_as_a_completed_response()
    {
        // Pins the MEAI 10.11 behaviour that FallbackAttemptChatClient exists for (see docs/middleware.md, Fallback).
        var second = Streaming("mistral", [new(ChatRole.Assistant, "hello"), new() { FinishReason = ChatFinishReason.Stop }]);
        using var ordered = new OrderedFailoverChatClient([Streaming("groq", []), second]);
        Assert.Empty(await CollectAsync(ordered.GetStreamingResponseAsync("hi")));
        Assert.Empty(second.Calls);
    }

    [Fact]
    public async Task Stream_without_any_update_falls_over()
    {
        var second = Streaming("mistral", [new(ChatRole.Assistant, "hello"), new() { FinishReason = ChatFinishReason.Stop }]);
        using var client = new FallbackChatClient([Streaming("groq", []), second], NoBreaker());
        var updates = await CollectAsync(client.GetStreamingResponseAsync("hi"));
        Assert.Equal("hello", string.Concat(updates.Select(static u => u.Text)));
        Assert.All(updates, static u => Assert.Equal("mistral", u.AdditionalProperties![FallbackChatClient.ProviderKey]));
        Assert.All(updates, static u => Assert.Equal(2, u.AdditionalProperties![FallbackChatClient.AttemptsKey]));
    }

    [Theory]
    [InlineData(ProviderErrorKind.InvalidRequest)]
    [InlineData(ProviderErrorKind.ContentFiltered)]
    public async Task Stream_does_not_fall_over_on_errors_the_next_provider_would_share(ProviderErrorKind kind)
    {
        var second = Streaming("mistral", [new(ChatRole.Assistant, "hello"), new() { FinishReason = ChatFinishReason.Stop }]);
        using var client = new FallbackChatClient([Failing("groq", kind), second], NoBreaker());
        var ex = await Assert.ThrowsAsync<ProviderException>(() => CollectAsync(client.GetStreamingResponseAsync("hi")));
        Assert.Equal(kind, ex.Kind);
        Assert.Equal("groq", ex.ProviderName);
        Assert.Empty(second.Calls);
    }

    [Fact]
    public async Task A_client_skipped_by_its_open_circuit_is_reported_but_not_counted_as_tried()
    {
        var time = new ManualTimeProvider();
        var first = Failing("groq", ProviderErrorKind.ServerError);
        var options = new FallbackOptions { TimeProvider = time, CircuitBreaker = { MinimumThroughput = 2, FailureRatio = 0.5, BreakDuration = TimeSpan.FromSeconds(10) } };
        using var client = new FallbackChatClient([first, Failing("mistral", ProviderErrorKind.ServerError), Working("deepseek")], options);
        await client.GetResponseAsync("hi");
        await client.GetResponseAsync("hi");

        var response = await client.GetResponseAsync("hi");
        Assert.Equal(2, first.Calls.Count);
        Assert.Equal(1, response.AdditionalProperties![FallbackChatClient.AttemptsKey]);

        using var failing = new FallbackChatClient([Failing("groq", ProviderErrorKind.ServerError), Failing("mistral", ProviderErrorKind.ServerError)], options);
        await Assert.ThrowsAsync<ProviderException>(() => failing.GetResponseAsync("hi"));
        await Assert.ThrowsAsync<ProviderException>(() => failing.GetResponseAsync("hi"));
        var all = await Assert.ThrowsAsync<ProviderException>(() => failing.GetResponseAsync("hi"));
        Assert.All(all.Attempts, static a => Assert.Contains("circuit breaker is open", a.Message));
    }

    [Fact]
    public async Task Attempts_are_counted_on_the_CompatAI_meter_and_the_served_route_tags_the_activity()
    {
        var seen = new List<(string? Provider, string? Outcome)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CompatAI" && instrument.Name == "compatai.fallback.attempts")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? provider = null, outcome = null;
            foreach (var tag in tags)
            {
                provider = tag.Key == "compatai.provider" ? tag.Value as string : provider;
                outcome = tag.Key == "compatai.outcome" ? tag.Value as string : outcome;
            }

            if (provider is "fb-meter-a" or "fb-meter-b")
            {
                lock (seen)
                {
                    seen.Add((provider, outcome));
                }
            }
        });
        listener.Start();

        using var source = new System.Diagnostics.ActivitySource("CompatAI.Tests.Fallback");
        using var activityListener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = static (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(activityListener);

        using var client = new FallbackChatClient([Failing("fb-meter-a", ProviderErrorKind.RateLimited), Working("fb-meter-b")], NoBreaker());
        using (var activity = source.StartActivity("chat"))
        {
            Assert.NotNull(activity);
            await client.GetResponseAsync("hi");
            Assert.Equal("fb-meter-b", activity.GetTagItem(FallbackChatClient.ProviderKey));
            Assert.Equal("fb-meter-b-model", activity.GetTagItem(FallbackChatClient.ModelKey));
            Assert.Equal(2, activity.GetTagItem(FallbackChatClient.AttemptsKey));
            var failed = Assert.Single(activity.Events, static e => e.Name == "compatai.fallback.failed");
            Assert.Contains(failed.Tags, static t => t.Key == FallbackChatClient.ProviderKey && (string?)t.Value == "fb-meter-a");
        }

        Assert.Equal([("fb-meter-a", "RateLimited"), ("fb-meter-b", "success")], seen);
    }
}
