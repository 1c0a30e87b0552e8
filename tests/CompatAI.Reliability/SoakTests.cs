using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using CompatAI.Reliability.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CompatAI.Reliability;

/// <summary>
/// A bounded soak (the long run is <c>eng/chaos</c>): 2,000 requests through the real gateway to a raw-socket provider,
/// mixed JSON and SSE, 10% injected faults and 10% clients that disconnect mid-stream. Afterwards every request is
/// accounted for, the provider saw each exactly once, and nothing is left open: no upstream connection, no gateway
/// request, no gateway connection. Counting only; no timing is asserted.
/// </summary>
public sealed class SoakTests
{
    private const int Total = 2_000;

    private static readonly string[] s_faults =
    [
        "429-retry-after-seconds", "500", "503", "reset-before-headers", "reset-mid-body", "cut-without-done",
        "error-object-in-200-stream", "html-error-page", "non-json-200", "truncated-json-200",
    ];

    private enum Kind
    {
        Healthy,
        Fault,
        Disconnect,
    }

    private static (Kind Kind, string? Fault, bool Stream) Plan(int i) => (i % 10) switch
    {
        0 => (Kind.Fault, s_faults[(i / 10) % s_faults.Length], (i / 100) % 2 == 0),
        5 => (Kind.Disconnect, null, true),
        _ => (Kind.Healthy, null, i % 2 == 1),
    };

    /// <summary>The provider: the request's message says which behaviour to play.</summary>
    private static Task Upstream(FaultConnection c)
    {
        var marker = c.RequestBody.IndexOf("play:", StringComparison.Ordinal);
        var name = marker < 0 ? "healthy" : c.RequestBody[(marker + 5)..c.RequestBody.IndexOf('"', marker)];
        return name switch
        {
            "healthy" => Faults.Healthy(c),
            "disconnect" => Faults.All["stall-mid-stream"](c), // sends output, then waits: only the client's leaving ends it
            _ => Faults.All[name](c),
        };
    }

    [Fact]
    public async Task Every_request_is_accounted_for_and_nothing_is_left_open()
    {
        await using var upstream = FaultServer.Start(Upstream);
        // A long provider timeout: a stalled stream ends only because the gateway cancels it when its client leaves.
        await using var gateway = await GatewayHost.ForUpstreamAsync(upstream.V1, "openai", ("CompatAI:Providers:flaky:Timeout", "00:05:00"));
        using var meters = new ServerMeters(gateway.Services.GetRequiredService<IMeterFactory>());

        var outcomes = new ConcurrentDictionary<string, int>();
        var problems = new ConcurrentQueue<string>();
        using (var client = new HttpClient { BaseAddress = gateway.BaseAddress })
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Total), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var (kind, fault, stream) = Plan(i);
                var play = kind switch { Kind.Fault => fault!, Kind.Disconnect => "disconnect", _ => "healthy" };
                var body = $$"""{"model":"flaky/m","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"play:{{play}}"}]}""";
                var outcome = await GatewayCalls.SendAsync(client, body, kind == Kind.Disconnect, text => text == (stream ? Faults.Answer + " " : Faults.Answer), ct);
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                var expected = kind switch { Kind.Healthy => "served", Kind.Fault => "typed-error", _ => "disconnected" };
                if (outcome != expected)
                {
                    problems.Enqueue($"request {i} ({play}, stream {stream}): {outcome}, expected {expected}");
                }
            });
        }

        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(10)));
        Assert.Equal(Total, outcomes.Values.Sum());
        Assert.Equal(Total * 8 / 10, outcomes.GetValueOrDefault("served"));
        Assert.Equal(Total / 10, outcomes.GetValueOrDefault("typed-error"));
        Assert.Equal(Total / 10, outcomes.GetValueOrDefault("disconnected"));

        // The provider saw every request exactly once (nothing retried after a 2xx, nothing duplicated).
        Assert.Equal(Total, upstream.Requests);

        // Nothing left open. The counts settle as cancellations propagate; the loop is bounded and asserts counts only.
        for (var i = 0; i < 300 && (upstream.OpenConnections > 0 || meters.ActiveRequests > 0 || meters.ActiveConnections > 0); i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(Total, meters.RequestsSeen);
        Assert.Equal(0, upstream.OpenConnections);
        Assert.Equal(0, meters.ActiveRequests);
        Assert.Equal(0, meters.ActiveConnections);
        foreach (var line in gateway.Logs.Lines)
        {
            Assert.DoesNotContain(Faults.SentinelKey, line, StringComparison.Ordinal);
        }
    }
}
