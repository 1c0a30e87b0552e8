using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Fallback;

/// <summary>
/// The chain over real HTTP with a private emulator (so its fault queue and request log belong to this class alone):
/// the circuit breaker under 50 concurrent callers, and which upstream a failing stream reaches.
/// </summary>
public sealed class FallbackChainUnderLoadTests : IAsyncLifetime
{
    private const int Callers = 50;
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1" });

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private int RequestsTo(string personality) => _emulator.Requests.Count(r => r.Personality == personality);

    private IChatClient Pipeline(string personality, string model) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = _emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    private static Task<ChatResponse[]> BurstAsync(IChatClient chain, string label, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, Callers).Select(i => Task.Run(() => chain.GetResponseAsync($"{label} caller {i}", cancellationToken: cancellationToken), cancellationToken)));

    [Fact]
    public async Task Fifty_concurrent_callers_open_the_breaker_of_a_failing_upstream_and_all_get_an_answer()
    {
        // groq answers every request with a 503 (more faults queued than requests can reach it).
        var unavailable = EmulatorFault.WithStatus(503);
        unavailable.Times = 4 * Callers;
        _emulator.EnqueueFault("groq", unavailable);
        var options = new FallbackOptions { CircuitBreaker = { MinimumThroughput = 4, FailureRatio = 0.5, BreakDuration = TimeSpan.FromMinutes(10) } };
        using var chain = new FallbackChatClient([Pipeline("groq", "llama-3.3-70b-versatile"), Pipeline("openai", "gpt-4o-mini")], options);
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hang fails the test instead of stalling the suite

        var first = await BurstAsync(chain, "first burst", bound.Token);

        // Every caller got openai's answer to its own question.
        Assert.All(first.Select((r, i) => (r, i)), x => Assert.Contains($"first burst caller {x.i}", x.r.Text, StringComparison.Ordinal));
        Assert.All(first, r => Assert.Equal("openai", r.AdditionalProperties![FallbackChatClient.ProviderKey]));
        Assert.Equal(Callers, RequestsTo("openai"));

        // Each request groq received is one caller that tried it (2 attempts); the others found the circuit open (1 attempt).
        int groqRequests = RequestsTo("groq");
        Assert.InRange(groqRequests, options.CircuitBreaker.MinimumThroughput, Callers);
        Assert.Equal(groqRequests, first.Count(r => (int)r.AdditionalProperties![FallbackChatClient.AttemptsKey]! == 2));
        Assert.Equal(Callers - groqRequests, first.Count(r => (int)r.AdditionalProperties![FallbackChatClient.AttemptsKey]! == 1));

        // The breaker is open: a second burst of 50 concurrent callers never reaches groq, and openai serves them all.
        var second = await BurstAsync(chain, "second burst", bound.Token);
        Assert.Equal(groqRequests, RequestsTo("groq"));
        Assert.Equal(2 * Callers, RequestsTo("openai"));
        Assert.All(second, r => Assert.Equal(1, r.AdditionalProperties![FallbackChatClient.AttemptsKey]));
        Assert.All(second.Select((r, i) => (r, i)), x => Assert.Contains($"second burst caller {x.i}", x.r.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stream_that_fails_before_its_first_update_sends_exactly_one_request_to_the_secondary()
    {
        _emulator.EnqueueFault("groq", EmulatorFault.WithStatus(503));
        using var chain = new FallbackChatClient([Pipeline("groq", "llama-3.3-70b-versatile"), Pipeline("openai", "gpt-4o-mini")]);

        var updates = await chain.GetStreamingResponseAsync("stream before output").ToListAsync();

        Assert.Contains("stream before output", updates.ToChatResponse().Text, StringComparison.Ordinal);
        Assert.All(updates, u => Assert.Equal("openai", u.AdditionalProperties![FallbackChatClient.ProviderKey]));
        Assert.Equal(1, RequestsTo("groq"));
        Assert.Equal(1, RequestsTo("openai"));
    }

    [Fact]
    public async Task A_stream_cut_after_output_started_sends_no_request_to_the_secondary()
    {
        _emulator.EnqueueFault("groq", EmulatorFault.CutAfter(2));
        using var chain = new FallbackChatClient([Pipeline("groq", "llama-3.3-70b-versatile"), Pipeline("openai", "gpt-4o-mini")]);
        var received = new List<ChatResponseUpdate>();

        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in chain.GetStreamingResponseAsync("stream cut after output"))
            {
                received.Add(update);
            }
        });

        Assert.Equal(ProviderErrorKind.StreamInterrupted, ex.Kind);
        Assert.True(ex.OutputStarted);
        Assert.NotEmpty(received);
        Assert.All(received, u => Assert.Equal("groq", u.AdditionalProperties![FallbackChatClient.ProviderKey]));
        Assert.Equal(1, RequestsTo("groq"));
        Assert.Equal(0, RequestsTo("openai"));
    }
}
