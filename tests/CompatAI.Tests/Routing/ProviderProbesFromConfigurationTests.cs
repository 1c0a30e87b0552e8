using System.Text.Json.Nodes;
using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CompatAI.Tests.Routing;

/// <summary>
/// <c>CompatAI:Routing:Candidates:&lt;n&gt;:Probe</c> and <c>CompatAI:Routing:Probes</c>: the hosted service that
/// <c>AddCompatRouterChatClient</c> registers, in a real host, on a <see cref="FakeTimeProvider"/>, against the emulator.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class ProviderProbesFromConfigurationTests(EmulatorFixture fixture)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    // The provider keys ("primary", "backup") are not catalog names: the router names the first candidate after its
    // profile ("openai") and the second by its configured Name ("cheap").
    private IHost Build(Dictionary<string, string?> extra, FakeTimeProvider? clock = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        var settings = new Dictionary<string, string?>(fixture.ProviderSettings("primary", "openai", "gpt-4o-mini").Concat(fixture.ProviderSettings("backup", "mistral", "mistral-small-latest")))
        {
            ["CompatAI:Routing:Strategy"] = "Quality",
            ["CompatAI:Routing:Candidates:0:Provider"] = "primary",
            ["CompatAI:Routing:Candidates:0:Quality"] = "0.9",
            ["CompatAI:Routing:Candidates:1:Provider"] = "backup",
            ["CompatAI:Routing:Candidates:1:Name"] = "cheap",
            ["CompatAI:Routing:Candidates:1:Quality"] = "0.5",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        if (clock is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
        }

        builder.Services.AddCompatRouterChatClient(lifetime: lifetime);
        builder.Services.AddHealthChecks().AddCompatProviderHealthChecks("openai", "cheap");
        return builder.Build();
    }

    private static TaskCompletionSource NextRound(IHost host)
    {
        var prober = host.Services.GetRequiredService<ConfiguredRouterProbes>().Prober!;
        var round = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        prober.RoundCompleted = () => round.TrySetResult();
        return round;
    }

    private List<RecordedRequest> RequestsTo(string personality) => [.. fixture.Emulator.Requests.Where(r => r.Personality == personality)];

    [Fact]
    public async Task The_host_probes_each_configured_candidate_on_its_clock_and_routing_follows_the_outcome()
    {
        var clock = new FakeTimeProvider();
        using var host = Build(
            new()
            {
                ["CompatAI:Routing:Candidates:0:Probe"] = "Models",
                ["CompatAI:Routing:Candidates:1:Probe"] = "OneToken",
                ["CompatAI:Routing:Probes:Interval"] = "00:01:00",
                ["CompatAI:Routing:Probes:Jitter"] = "0",
            },
            clock);
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IChatClient>();
        var router = client.GetService<RouterChatClient>()!;
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(["openai", "cheap"], router.GetHealth().Select(h => h.Name));
        Assert.Equal(["openai", "cheap"], host.Services.GetRequiredService<ConfiguredRouterProbes>().Prober!.Candidates);
        int openaiBefore = RequestsTo("openai").Count, mistralBefore = RequestsTo("mistral").Count;

        var first = NextRound(host);
        clock.Advance(TimeSpan.FromMinutes(1));
        await first.Task.WaitAsync(s_wait);

        var models = Assert.Single(RequestsTo("openai").Skip(openaiBefore));
        Assert.Equal("GET", models.Method);
        Assert.EndsWith("/models", models.Path, StringComparison.Ordinal);
        Assert.Equal("Bearer emulator-key", models.Headers["Authorization"]);
        var oneToken = Assert.Single(RequestsTo("mistral").Skip(mistralBefore));
        Assert.Equal("POST", oneToken.Method);
        Assert.Equal(1, (int)JsonNode.Parse(oneToken.Body)!["max_tokens"]!);
        Assert.All(router.GetHealth(), h => Assert.True(h.LastProbeSucceeded));

        fixture.Emulator.EnqueueFault("openai", EmulatorFault.WithStatus(500));
        var failing = NextRound(host);
        clock.Advance(TimeSpan.FromMinutes(1));
        await failing.Task.WaitAsync(s_wait);

        var report = await checks.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["compatai:openai"].Status);
        Assert.Equal(false, report.Entries["compatai:openai"].Data["probeSucceeded"]);
        Assert.Equal(HealthStatus.Healthy, report.Entries["compatai:cheap"].Status);
        int openaiChats = RequestsTo("openai").Count(r => r.Method == "POST");
        var skipped = await client.GetResponseAsync("openai's probe failed");
        Assert.Equal("cheap", skipped.AdditionalProperties![RouterChatClient.CandidateKey]);
        Assert.Equal(openaiChats, RequestsTo("openai").Count(r => r.Method == "POST"));

        var recovery = NextRound(host);
        clock.Advance(TimeSpan.FromMinutes(1));
        await recovery.Task.WaitAsync(s_wait);
        Assert.Equal("openai", (await client.GetResponseAsync("openai answers its probe again")).AdditionalProperties![RouterChatClient.CandidateKey]);

        await host.StopAsync();
        int afterStop = RequestsTo("openai").Count;
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(afterStop, RequestsTo("openai").Count);
    }

    [Fact]
    public async Task Without_a_configured_probe_nothing_is_probed()
    {
        var clock = new FakeTimeProvider();
        using var host = Build(new(), clock);
        int openaiBefore = RequestsTo("openai").Count, mistralBefore = RequestsTo("mistral").Count;

        await host.StartAsync();
        clock.Advance(TimeSpan.FromHours(1));

        Assert.Null(host.Services.GetRequiredService<ConfiguredRouterProbes>().Prober);
        Assert.Equal(openaiBefore, RequestsTo("openai").Count);
        Assert.Equal(mistralBefore, RequestsTo("mistral").Count);
        Assert.All(host.Services.GetRequiredService<IChatClient>().GetService<RouterChatClient>()!.GetHealth(), h => Assert.Null(h.LastProbeAt));
        await host.StopAsync();
    }

    [Fact]
    public async Task Without_a_configured_probe_the_start_does_not_build_the_router()
    {
        // A routing section that only fails when the router is built: the start succeeds, the first resolution fails.
        using var host = Build(new() { ["CompatAI:Routing:Candidates:1:Provider"] = "groq" });

        await host.StartAsync();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IChatClient>());
        Assert.Contains("CompatAI:Routing:Candidates:1:Provider", error.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task With_a_configured_probe_a_bad_routing_section_stops_the_start()
    {
        using var host = Build(new() { ["CompatAI:Routing:Candidates:0:Probe"] = "Models", ["CompatAI:Routing:Candidates:1:Provider"] = "groq" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("CompatAI:Routing:Candidates:1:Provider", error.Message);
    }

    [Fact]
    public async Task Invalid_probe_timing_stops_the_start_naming_each_key()
    {
        using var host = Build(new()
        {
            ["CompatAI:Routing:Probes:Interval"] = "00:00:00",
            ["CompatAI:Routing:Probes:Jitter"] = "1.5",
            ["CompatAI:Routing:Probes:Timeout"] = "-00:00:01",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("CompatAI:Routing:Probes:Interval must be positive", error.Message);
        Assert.Contains("CompatAI:Routing:Probes:Jitter must be between 0 and 1", error.Message);
        Assert.Contains("CompatAI:Routing:Probes:Timeout must be positive", error.Message);
    }

    [Fact]
    public void Probe_timing_binds_onto_the_prober_options_with_the_hosts_clock()
    {
        var clock = new FakeTimeProvider();
        using var host = Build(new() { ["CompatAI:Routing:Probes:Interval"] = "00:02:00", ["CompatAI:Routing:Probes:Jitter"] = "0.1", ["CompatAI:Routing:Probes:Timeout"] = "00:00:03" }, clock);

        var options = host.Services.GetRequiredService<IOptions<ProviderProberOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(2), options.Interval);
        Assert.Equal(0.1, options.Jitter);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.Same(clock, options.TimeProvider);
        Assert.NotNull(options.LoggerFactory);
    }

    [Fact]
    public async Task An_unknown_probe_kind_stops_the_start_naming_the_key()
    {
        using var host = Build(new() { ["CompatAI:Routing:Candidates:1:Probe"] = "Ping" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("CompatAI:Routing:Candidates:1:Probe", error.Message);
        Assert.Contains("'Ping'", error.Message);
    }

    [Fact]
    public async Task Probes_on_a_router_that_is_not_a_singleton_stop_the_start()
    {
        using var host = Build(new() { ["CompatAI:Routing:Candidates:0:Probe"] = "Models" }, lifetime: ServiceLifetime.Scoped);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("CompatAI:Routing:Candidates:0:Probe", error.Message);
        Assert.Contains("Scoped", error.Message);
    }
}
