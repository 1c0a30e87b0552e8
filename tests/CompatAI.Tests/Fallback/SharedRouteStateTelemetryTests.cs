using System.Diagnostics.Metrics;
using CompatAI;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Fallback;

public sealed class SharedRouteStateTelemetryTests
{
    private static FakeChatClient Client(string name, Func<ChatResponse>? answer = null, TimeSpan? retryAfter = null) => new()
    {
        Profile = new ProviderProfile { Name = name },
        DefaultModel = name + "-model",
        OnGet = (_, _, _) => answer is null
            ? Task.FromException<ChatResponse>(new ProviderException(name, ProviderErrorKind.RateLimited, "slow down", retryAfter: retryAfter))
            : Task.FromResult(answer()),
    };

    [Fact]
    public async Task A_skip_for_a_shared_cooldown_is_counted_by_provider_and_event()
    {
        var seen = new List<(string? Provider, string? Event)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = static (instrument, l) =>
            {
                if (instrument.Meter.Name == CompatTelemetry.MeterName && instrument.Name == CompatTelemetry.SharedStateEventsMetric)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? provider = null, sharedEvent = null;
            foreach (var tag in tags)
            {
                provider = tag.Key == CompatTelemetry.ProviderAttribute ? tag.Value as string : provider;
                sharedEvent = tag.Key == CompatTelemetry.SharedStateEventAttribute ? tag.Value as string : sharedEvent;
            }

            if (provider == "ss-meter-a")
            {
                lock (seen)
                {
                    seen.Add((provider, sharedEvent));
                }
            }
        });
        listener.Start();
        var store = new InMemoryRouteStateStore();
        var limitedOnA = Client("ss-meter-a", retryAfter: TimeSpan.FromSeconds(30));
        var neverCalledOnB = Client("ss-meter-a", () => new ChatResponse(new ChatMessage(ChatRole.Assistant, "from a")));
        using var a = new FallbackChatClient([limitedOnA, Client("ss-meter-b", () => new ChatResponse(new ChatMessage(ChatRole.Assistant, "from b")))], new FallbackOptions { StateStore = store });
        using var b = new FallbackChatClient([neverCalledOnB, Client("ss-meter-b", () => new ChatResponse(new ChatMessage(ChatRole.Assistant, "from b")))], new FallbackOptions { StateStore = store });

        await a.GetResponseAsync("hi");
        var response = await b.GetResponseAsync("hi");

        Assert.Equal("from b", response.Text);
        Assert.Empty(neverCalledOnB.Calls);
        Assert.Equal([("ss-meter-a", CompatTelemetry.SharedCooldownSkipped)], seen);
    }

    [Fact]
    public void A_probe_lease_that_is_not_positive_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FallbackChatClient(
            [Client("ss-lease", () => new ChatResponse())],
            new FallbackOptions { StateStore = new InMemoryRouteStateStore(), CircuitBreaker = { ProbeLease = TimeSpan.Zero } }));
        Assert.Equal("ProbeLease", error.ParamName);
        Assert.Contains("ProbeLease must be positive", error.Message, StringComparison.Ordinal);
    }
}
