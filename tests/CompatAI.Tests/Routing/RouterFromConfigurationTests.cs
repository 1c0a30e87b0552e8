using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompatAI.Tests.Routing;

/// <summary><c>AddCompatRouterChatClient</c> from <c>CompatAI:Routing</c>, and the per-provider health checks, against the emulator.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class RouterFromConfigurationTests(EmulatorFixture fixture)
{
    private ServiceProvider Build(Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>(fixture.ProviderSettings("mistral", "mistral", "mistral-small-latest").Concat(fixture.ProviderSettings("openai", "openai", "gpt-4o-mini")))
        {
            ["CompatAI:Routing:Candidates:0:Provider"] = "mistral",
            ["CompatAI:Routing:Candidates:0:Quality"] = "0.4",
            ["CompatAI:Routing:Candidates:1:Provider"] = "openai",
            ["CompatAI:Routing:Candidates:1:Quality"] = "0.8",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddCompatRouterChatClient().UseCostTracking();
        services.AddHealthChecks().AddCompatProviderHealthChecks("mistral", "openai");
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    [Fact]
    public async Task The_strategy_candidates_and_prices_come_from_configuration()
    {
        // Configured prices make openai the cheaper one (the built-in table says the opposite for these models).
        using var provider = Build(new()
        {
            ["CompatAI:Routing:Strategy"] = "Cost",
            ["CompatAI:Prices:0:Provider"] = "openai",
            ["CompatAI:Prices:0:Model"] = "gpt-4o-mini",
            ["CompatAI:Prices:0:Input"] = "0.01",
            ["CompatAI:Prices:0:Output"] = "0.01",
            ["CompatAI:Prices:1:Provider"] = "mistral",
            ["CompatAI:Prices:1:Model"] = "mistral-small-latest",
            ["CompatAI:Prices:1:Input"] = "3",
            ["CompatAI:Prices:1:Output"] = "3",
        });
        var client = provider.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync("configured routing");

        Assert.Equal("openai", response.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal("cost", response.AdditionalProperties[RouterChatClient.StrategyKey]);
        var usage = response.Usage!;
        Assert.Equal((usage.InputTokenCount!.Value + usage.OutputTokenCount!.Value) * 0.01m / 1_000_000m, response.AdditionalProperties[CostTrackingChatClient.CostKey]);

        using var byQuality = Build(new() { ["CompatAI:Routing:Strategy"] = "Quality" });
        Assert.Equal("openai", (await byQuality.GetRequiredService<IChatClient>().GetResponseAsync("quality")).AdditionalProperties![FallbackChatClient.ProviderKey]);
    }

    [Fact]
    public async Task Each_provider_is_a_health_check_that_turns_unhealthy_when_its_circuit_opens()
    {
        using var provider = Build(new()
        {
            ["CompatAI:Routing:Strategy"] = "Quality",
            ["CompatAI:Routing:Failover:CircuitBreaker:MinimumThroughput"] = "2",
        });
        var client = provider.GetRequiredService<IChatClient>();
        var checks = provider.GetRequiredService<HealthCheckService>();

        var before = await checks.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, before.Entries["compatai:openai"].Status);

        fixture.Emulator.EnqueueFault("openai", EmulatorFault.WithStatus(503, null));
        fixture.Emulator.EnqueueFault("openai", EmulatorFault.WithStatus(503, null));
        Assert.Equal("mistral", (await client.GetResponseAsync("openai fails once")).AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal("mistral", (await client.GetResponseAsync("openai fails twice")).AdditionalProperties![FallbackChatClient.ProviderKey]);

        var after = await checks.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, after.Entries["compatai:openai"].Status);
        Assert.Equal("Open", after.Entries["compatai:openai"].Data["breaker"]);
        Assert.Equal(HealthStatus.Healthy, after.Entries["compatai:mistral"].Status);
        Assert.Equal(HealthStatus.Unhealthy, after.Status);
    }

    [Fact]
    public void A_candidate_naming_an_unconfigured_provider_fails_naming_the_key()
    {
        using var provider = Build(new() { ["CompatAI:Routing:Candidates:1:Provider"] = "groq" });

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IChatClient>());
        Assert.Contains("CompatAI:Routing:Candidates:1:Provider", error.Message);
        Assert.Contains("'groq'", error.Message);
    }
}
