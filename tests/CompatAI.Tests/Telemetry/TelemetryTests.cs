using System.Diagnostics;
using System.Text.Json.Nodes;
using CompatAI.Tests.Infrastructure;
using CompatAI.Tests.Integration;
using CompatAI.Tests.Support;
using Fixtures = CompatAI.Tests.Infrastructure.Fixtures;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Telemetry;

/// <summary>Listeners and meters are process-wide: these tests run alone, so every count they read is their own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry (not parallel)";
}

/// <summary>
/// Spans and metrics read through the OpenTelemetry SDK's in-memory exporters, over the emulator and over recorded
/// fixtures served on loopback.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string ApiKey = "sk-telemetry-secret-0123456789abcdefghij";

    private ChatClientBuilder Builder(string personality, string model) => CompatChatClient.CreateBuilder(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = fixture.Emulator.GetEndpoint(personality),
        ApiKey = ApiKey,
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    private static string UniquePrompt() => "telemetry prompt " + Guid.NewGuid().ToString("N");

    private static void AssertNoSecretOrContent(TelemetryCapture capture, params string[] forbidden)
    {
        var text = capture.AllTagText().ToList();
        Assert.NotEmpty(text);
        foreach (var secret in forbidden.Append(ApiKey))
        {
            Assert.DoesNotContain(text, t => t.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("groq", "llama-3.3-70b-versatile", false)]
    [InlineData("vllm", "meta-llama/Llama-3.1-8B-Instruct", true)]
    public async Task UseOpenTelemetry_spans_carry_the_real_provider_and_model(string provider, string model, bool streaming)
    {
        var sourceName = "CompatAI.Tests.Otel." + Guid.NewGuid().ToString("N");
        using var capture = new TelemetryCapture(sourceName);
        using var client = Builder(provider, model).UseOpenTelemetry(sourceName: sourceName).Build();
        var prompt = UniquePrompt();

        var response = streaming ? await client.GetStreamingResponseAsync(prompt).ToChatResponseAsync() : await client.GetResponseAsync(prompt);

        Assert.Contains(prompt, response.Text, StringComparison.Ordinal);
        var span = Assert.Single(capture.Spans, s => s.Source.Name == sourceName);
        Assert.Equal(provider, span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(model, span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(model, span.GetTagItem("gen_ai.response.model"));
        AssertNoSecretOrContent(capture, prompt);
    }

    [Fact]
    public async Task A_sanitizer_change_is_an_event_on_the_chat_span_and_a_CompatAI_metric()
    {
        var sourceName = "CompatAI.Tests.Otel." + Guid.NewGuid().ToString("N");
        using var capture = new TelemetryCapture(sourceName);
        using var client = Builder("mistral", "mistral-small-latest").UseOpenTelemetry(sourceName: sourceName).Build();
        var prompt = UniquePrompt();

        await client.GetResponseAsync(prompt, new ChatOptions { Seed = 42 });

        var span = Assert.Single(capture.Spans, s => s.Source.Name == sourceName);
        var change = Assert.Single(span.Events, e => e.Name == CompatTelemetry.SanitizerChangeEvent);
        var tags = change.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("mistral", tags[CompatTelemetry.ProviderAttribute]);
        Assert.Equal("seed", tags[CompatTelemetry.ParameterAttribute]);
        Assert.Equal("renamed to random_seed", tags[CompatTelemetry.ActionAttribute]);
        Assert.Equal(1, capture.Sum(
            CompatTelemetry.SanitizerChangesMetric,
            (CompatTelemetry.ProviderAttribute, "mistral"), (CompatTelemetry.ParameterAttribute, "seed"), (CompatTelemetry.ActionAttribute, "renamed to random_seed")));
        Assert.Equal("compatai.sanitizer.changes", CompatTelemetry.SanitizerChangesMetric); // the documented names
        Assert.Equal("CompatAI", CompatTelemetry.SourceName);
        Assert.Equal("CompatAI", CompatTelemetry.MeterName);
        AssertNoSecretOrContent(capture, prompt);
    }

    [Fact]
    public async Task Without_UseOpenTelemetry_a_CompatAI_event_becomes_a_span_on_the_CompatAI_source()
    {
        using var capture = new TelemetryCapture();
        using var client = Builder("mistral", "mistral-small-latest").Build();

        await client.GetResponseAsync(UniquePrompt(), new ChatOptions { Seed = 7 });

        var span = Assert.Single(capture.Spans, s => s.Source.Name == CompatTelemetry.SourceName && s.OperationName == CompatTelemetry.SanitizerChangeEvent);
        Assert.Equal("seed", span.GetTagItem(CompatTelemetry.ParameterAttribute));
        Assert.Equal("mistral", span.GetTagItem(CompatTelemetry.ProviderAttribute));
    }

    [Fact]
    public async Task An_unknown_finish_reason_in_a_recorded_stream_is_a_wire_repair_event_and_metric()
    {
        var sourceName = "CompatAI.Tests.Otel." + Guid.NewGuid().ToString("N");
        using var capture = new TelemetryCapture(sourceName);
        var sse = Fixtures.Text("groq-text-x_groq-stream.sse").Replace("\"finish_reason\":\"stop\"", "\"finish_reason\":\"eos\"", StringComparison.Ordinal);
        Assert.Contains("\"eos\"", sse, StringComparison.Ordinal);
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse));
        using var client = CompatChatClient.CreateBuilder(new CompatChatClientOptions { Provider = "groq", Endpoint = server.V1, ApiKey = ApiKey, Model = "test-model", Retry = { MaxRetries = 0 } })
            .UseOpenTelemetry(sourceName: sourceName)
            .Build();

        var response = await client.GetStreamingResponseAsync("hi").ToChatResponseAsync();

        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(1, capture.Sum(CompatTelemetry.WireRepairsMetric, (CompatTelemetry.ProviderAttribute, "groq"), (CompatTelemetry.RepairAttribute, CompatTelemetry.RepairFinishReasonMapped)));
        Assert.Equal(1, capture.Sum(CompatTelemetry.WireRepairsMetric));
        var span = Assert.Single(capture.Spans, s => s.Source.Name == sourceName);
        var repair = Assert.Single(span.Events, e => e.Name == CompatTelemetry.WireRepairEvent);
        Assert.Contains(repair.Tags, t => t.Key == CompatTelemetry.RepairAttribute && Equals(t.Value, "finish_reason_mapped"));
        AssertNoSecretOrContent(capture, response.Text);
    }

    [Fact]
    public async Task An_unknown_finish_reason_in_a_recorded_response_is_a_wire_repair()
    {
        using var capture = new TelemetryCapture();
        var body = JsonNode.Parse(Fixtures.Text("deepseek-reasoner-nonstream.json"))!;
        body["choices"]![0]!["finish_reason"] = "eos";
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body.ToJsonString()));
        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "deepseek", Endpoint = server.V1, ApiKey = ApiKey, Model = "deepseek-reasoner", Retry = { MaxRetries = 0 } });

        var response = await client.GetResponseAsync("hi");

        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(1, capture.Sum(CompatTelemetry.WireRepairsMetric, (CompatTelemetry.ProviderAttribute, "deepseek"), (CompatTelemetry.RepairAttribute, CompatTelemetry.RepairFinishReasonMapped)));
    }

    [Fact]
    public async Task A_bare_JSON_line_in_a_recorded_stream_is_a_framing_repair()
    {
        using var capture = new TelemetryCapture();
        var sse = Fixtures.Text("gpustack-gateway-bare-json-line-stream.sse");
        int bareLines = sse.Split('\n').Count(l => l.StartsWith('{'));
        Assert.True(bareLines > 0);
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(sse));
        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "vllm", Endpoint = server.V1, ApiKey = ApiKey, Model = "qwen3", Retry = { MaxRetries = 0 } });

        var response = await client.GetStreamingResponseAsync("hi").ToChatResponseAsync();

        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(bareLines, capture.Sum(CompatTelemetry.WireRepairsMetric, (CompatTelemetry.ProviderAttribute, "vllm"), (CompatTelemetry.RepairAttribute, CompatTelemetry.RepairBareJsonLineFramed)));
    }

    [Fact]
    public async Task An_error_inside_a_200_stream_is_recorded_before_it_surfaces()
    {
        using var capture = new TelemetryCapture();
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(Fixtures.Text("llamacpp-stream-error-data-error.sse")));
        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "llamacpp", Endpoint = server.V1, ApiKey = ApiKey, Model = "m", Retry = { MaxRetries = 0 } });

        await Assert.ThrowsAsync<ProviderException>(async () => await client.GetStreamingResponseAsync("hi").ToChatResponseAsync());

        Assert.Equal(1, capture.Sum(CompatTelemetry.WireRepairsMetric, (CompatTelemetry.ProviderAttribute, "llamacpp"), (CompatTelemetry.RepairAttribute, CompatTelemetry.RepairErrorInSuccessResponse)));
    }

    [Fact]
    public async Task Circuit_breaker_transitions_are_counted_and_recorded_as_events()
    {
        var testSource = new ActivitySource("CompatAI.Tests.Breaker." + Guid.NewGuid().ToString("N"));
        using var capture = new TelemetryCapture(testSource.Name);
        var time = new ManualTimeProvider();
        var failing = new FakeChatClient
        {
            Profile = new ProviderProfile { Name = "flaky" },
            OnGet = (_, _, _) => Task.FromException<ChatResponse>(new ProviderException("flaky", ProviderErrorKind.ServerError, "down")),
        };
        var working = new FakeChatClient { Profile = new ProviderProfile { Name = "steady" } };
        var options = new FallbackOptions { TimeProvider = time, CircuitBreaker = { MinimumThroughput = 2, FailureRatio = 0.5, BreakDuration = TimeSpan.FromSeconds(10) } };
        using var client = new FallbackChatClient([failing, working], options);

        using (testSource.StartActivity("request"))
        {
            await client.GetResponseAsync("hi");
            await client.GetResponseAsync("hi"); // the second failure opens flaky's circuit
        }

        Assert.Equal(1, capture.Sum(CompatTelemetry.BreakerTransitionsMetric, (CompatTelemetry.ProviderAttribute, "flaky"), (CompatTelemetry.BreakerStateAttribute, CompatTelemetry.BreakerOpened)));
        var opened = Assert.Single(capture.Spans, s => s.Source.Name == CompatTelemetry.SourceName && s.OperationName == CompatTelemetry.BreakerTransitionEvent);
        Assert.Equal("open", opened.GetTagItem(CompatTelemetry.BreakerStateAttribute));
        Assert.Equal("flaky", opened.GetTagItem(CompatTelemetry.ProviderAttribute));
        Assert.Null(opened.Parent); // a root span: Polly reports transitions off the request's flow
        var request = Assert.Single(capture.Spans, s => s.Source.Name == testSource.Name);
        Assert.Equal(2, request.Events.Count(e => e.Name == CompatTelemetry.FallbackFailedEvent));
        Assert.Equal(2, capture.Sum(CompatTelemetry.FallbackAttemptsMetric, (CompatTelemetry.ProviderAttribute, "flaky"), (CompatTelemetry.OutcomeAttribute, "ServerError")));

        time.Advance(TimeSpan.FromSeconds(11));
        failing.OnGet = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "back")));
        Assert.Equal("back", (await client.GetResponseAsync("hi")).Text); // the probe succeeds and closes the circuit

        Assert.Equal(1, capture.Sum(CompatTelemetry.BreakerTransitionsMetric, (CompatTelemetry.ProviderAttribute, "flaky"), (CompatTelemetry.BreakerStateAttribute, CompatTelemetry.BreakerHalfOpened)));
        Assert.Equal(1, capture.Sum(CompatTelemetry.BreakerTransitionsMetric, (CompatTelemetry.ProviderAttribute, "flaky"), (CompatTelemetry.BreakerStateAttribute, CompatTelemetry.BreakerClosed)));
        Assert.Equal(3, capture.Spans.Count(s => s.Source.Name == CompatTelemetry.SourceName && s.OperationName == CompatTelemetry.BreakerTransitionEvent));
        testSource.Dispose();
    }
}
