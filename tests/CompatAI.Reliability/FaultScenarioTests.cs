using System.Net;
using System.Text;
using System.Text.Json;
using CompatAI.Reliability.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Reliability;

/// <summary>
/// Every provider fault, played on a raw loopback socket, through the library and through the gateway: each ends in
/// the documented outcome (typed error kind, HTTP status and OpenAI error code, or the exact text), never a hang, never
/// a silent truncation, and the sentinel key never appears in an exception, a response body or a log line.
/// </summary>
public sealed class FaultScenarioTests
{
    /// <summary>Scenario, streaming, expected kind (null: success), expected status on the exception.</summary>
    public static TheoryData<string, bool, ProviderErrorKind?, int?> LibraryCases() => new()
    {
        { "429-retry-after-seconds", false, ProviderErrorKind.RateLimited, 429 },
        { "429-retry-after-ms", false, ProviderErrorKind.RateLimited, 429 },
        { "429-retry-after-date", true, ProviderErrorKind.RateLimited, 429 },
        { "500", false, ProviderErrorKind.ServerError, 500 },
        { "503", true, ProviderErrorKind.Unavailable, 503 },
        { "reset-before-headers", false, ProviderErrorKind.Unavailable, null },
        { "reset-before-headers", true, ProviderErrorKind.Unavailable, null },
        { "reset-mid-body", false, ProviderErrorKind.StreamInterrupted, 200 },
        { "reset-mid-body", true, ProviderErrorKind.StreamInterrupted, null },
        { "hang-before-headers", false, ProviderErrorKind.Timeout, null },
        { "hang-before-headers", true, ProviderErrorKind.Timeout, null },
        { "stall-mid-stream", true, ProviderErrorKind.StreamInterrupted, null },
        { "cut-without-done", true, ProviderErrorKind.StreamInterrupted, null },
        { "error-object-in-200-stream", true, ProviderErrorKind.InvalidRequest, 400 },
        { "html-error-page", false, ProviderErrorKind.Unavailable, 502 },
        { "non-json-200", false, ProviderErrorKind.ServerError, 200 },
        { "truncated-json-200", false, ProviderErrorKind.ServerError, 200 },
        { "slow-trickle", false, null, null },
        { "slow-trickle", true, null, null },
        { "duplicate-done", true, null, null },
        { "oversized-chunk", true, null, null },
    };

    /// <summary>
    /// A 1 s timeout where the scenario needs the timeout to end it (a server that hangs or stalls); elsewhere a generous
    /// one, so that a loaded machine cannot turn the scenario's own outcome into a timeout.
    /// </summary>
    private static TimeSpan TimeoutFor(string? scenario) =>
        scenario is null or "hang-before-headers" or "stall-mid-stream" ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(15);

    private static IChatClient Client(FaultServer server, int retries = 0, string? scenario = null) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = "openai",
        Endpoint = server.V1,
        ApiKey = Faults.SentinelKey,
        Model = "m",
        Timeout = TimeoutFor(scenario),
        Retry = { MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
    });

    [Theory]
    [MemberData(nameof(LibraryCases))]
    public async Task Library_outcome_is_exact(string scenario, bool streaming, ProviderErrorKind? kind, int? status)
    {
        await using var server = FaultServer.Start(Faults.All[scenario]);
        using var client = Client(server, scenario: scenario);

        var text = new StringBuilder();
        ProviderException? error = null;
        try
        {
            if (streaming)
            {
                await foreach (var update in client.GetStreamingResponseAsync("hi"))
                {
                    text.Append(update.Text);
                }
            }
            else
            {
                text.Append((await client.GetResponseAsync("hi")).Text);
            }
        }
        catch (ProviderException ex)
        {
            error = ex;
        }

        if (kind is null)
        {
            Assert.Null(error);
            var expected = scenario == "oversized-chunk" ? new string('a', 1_000_000) : streaming ? Faults.Answer + " " : Faults.Answer;
            Assert.Equal(expected, text.ToString());
            return;
        }

        Assert.NotNull(error);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(status, error.StatusCode);
        Assert.DoesNotContain(Faults.SentinelKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Faults.SentinelKey, error.ResponseBody ?? string.Empty, StringComparison.Ordinal);
        switch (scenario)
        {
            case "429-retry-after-seconds":
                Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
                break;
            case "429-retry-after-ms":
                Assert.Equal(TimeSpan.FromMilliseconds(1500), error.RetryAfter);
                break;
            case "429-retry-after-date":
                Assert.InRange(error.RetryAfter!.Value, TimeSpan.FromMinutes(58), TimeSpan.FromMinutes(60));
                break;
            case "error-object-in-200-stream" or "stall-mid-stream" or "cut-without-done":
                // What arrived before the failure was delivered, and nothing else.
                Assert.True(error.OutputStarted);
                Assert.StartsWith(text.ToString(), "The quick ", StringComparison.Ordinal);
                break;
        }
    }

    [Theory]
    [InlineData("reset-mid-body")]
    [InlineData("non-json-200")]
    [InlineData("truncated-json-200")]
    public async Task Nothing_is_retried_once_a_2xx_status_has_arrived(string scenario)
    {
        await using var server = FaultServer.Start(Faults.All[scenario]);
        using var client = Client(server, retries: 2);

        await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(1, server.Requests); // billed once
    }

    [Fact]
    public async Task A_5xx_before_any_answer_is_still_retried()
    {
        await using var server = FaultServer.Start(Faults.All["500"]);
        using var client = Client(server, retries: 2);

        var error = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(3, server.Requests);
        Assert.Equal(2, error.Attempts.Count - 1);
    }

    [Fact]
    public async Task A_hanging_provider_fails_within_the_total_timeout_not_after_every_attempt()
    {
        // Five retries of 1 s each would take 6 s; the total timeout of 2.5 s leaves room for three attempts at most.
        await using var server = FaultServer.Start(Faults.All["hang-before-headers"]);
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "openai",
            Endpoint = server.V1,
            ApiKey = Faults.SentinelKey,
            Model = "m",
            Timeout = TimeSpan.FromSeconds(1),
            Retry = { MaxRetries = 5, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), TotalTimeout = TimeSpan.FromSeconds(2.5) },
        });

        var error = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ProviderErrorKind.Timeout, error.Kind);
        Assert.InRange(server.Requests, 1, 3);
        Assert.Equal(server.Requests, Math.Max(1, error.Attempts.Count));
    }

    /// <summary>Scenario, streaming, expected HTTP status, expected error code; a 200 with a code means an SSE error event.</summary>
    public static TheoryData<string, bool, int, string?> GatewayCases() => new()
    {
        { "429-retry-after-seconds", false, 429, "rate_limit_exceeded" },
        { "500", true, 500, "server_error" },
        { "503", false, 503, "server_error" }, // the provider's own error type is kept as the code
        { "reset-before-headers", true, 503, "unavailable" },
        { "reset-mid-body", false, 502, "stream_interrupted" },
        { "reset-mid-body", true, 200, "stream_interrupted" },
        { "hang-before-headers", false, 504, "timeout" },
        { "stall-mid-stream", true, 200, "stream_interrupted" },
        { "cut-without-done", true, 200, "stream_interrupted" },
        { "error-object-in-200-stream", true, 200, "BadRequestError" },
        { "html-error-page", false, 502, "unavailable" },
        { "non-json-200", false, 500, "upstream_error" },
        { "truncated-json-200", true, 500, "upstream_error" },
        { "slow-trickle", true, 200, null },
        { "duplicate-done", true, 200, null },
        { "oversized-chunk", false, 200, null },
    };

    [Theory]
    [MemberData(nameof(GatewayCases))]
    public async Task Gateway_outcome_is_exact(string scenario, bool streaming, int status, string? code)
    {
        await using var upstream = FaultServer.Start(Faults.All[scenario]);
        await using var gateway = await GatewayHost.ForUpstreamAsync(upstream.V1);

        var body = $$"""{"model":"flaky/m","stream":{{(streaming ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""";
        using var response = await gateway.Http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(status, (int)response.StatusCode);
        Assert.DoesNotContain(Faults.SentinelKey, text, StringComparison.Ordinal);
        if (status != 200)
        {
            using var document = JsonDocument.Parse(text);
            Assert.Equal(code, document.RootElement.GetProperty("error").GetProperty("code").GetString());
            if (scenario == "429-retry-after-seconds")
            {
                Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
            }
        }
        else if (streaming)
        {
            var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
            if (code is null)
            {
                Assert.Equal("data: [DONE]", events[^1].Trim());
                Assert.DoesNotContain(events, e => e.StartsWith("event: error", StringComparison.Ordinal));
            }
            else
            {
                // A failure after output ends the stream with an error event and no [DONE]: never a silent truncation.
                var last = events[^1];
                Assert.StartsWith("event: error", last, StringComparison.Ordinal);
                Assert.Contains($"\"code\":\"{code}\"", last, StringComparison.Ordinal);
                Assert.DoesNotContain(events, e => e.Trim() == "data: [DONE]");
            }
        }
        else
        {
            using var document = JsonDocument.Parse(text);
            var content = document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
            Assert.Equal(scenario == "oversized-chunk" ? new string('a', 1_000_000) : Faults.Answer, content);
        }

        foreach (var line in gateway.Logs.Lines)
        {
            Assert.DoesNotContain(Faults.SentinelKey, line, StringComparison.Ordinal);
        }
    }
}
