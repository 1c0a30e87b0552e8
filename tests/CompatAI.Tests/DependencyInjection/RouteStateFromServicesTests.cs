using CompatAI;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CompatAI.Tests.DependencyInjection;

/// <summary><c>AddCompatChatClient</c> and <c>AddCompatRouterChatClient</c> share route state through an <see cref="IRouteStateStore"/> registered in the services.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class RouteStateFromServicesTests(EmulatorFixture fixture)
{
    private int RequestsTo(string personality) => fixture.Emulator.Requests.Count(r => r.Personality == personality);

    private ServiceProvider Build(IRouteStateStore store, Action<IServiceCollection> register)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CompatAI:Providers:mistral:Endpoint"] = fixture.Emulator.GetEndpoint("mistral").ToString(),
            ["CompatAI:Providers:mistral:ApiKey"] = "emulator-key",
            ["CompatAI:Providers:mistral:Model"] = "mistral-small-latest",
            ["CompatAI:Providers:mistral:Retry:MaxRetries"] = "0",
            ["CompatAI:Providers:openai:Endpoint"] = fixture.Emulator.GetEndpoint("openai").ToString(),
            ["CompatAI:Providers:openai:ApiKey"] = "emulator-key",
            ["CompatAI:Providers:openai:Model"] = "gpt-4o-mini",
            ["CompatAI:Providers:openai:Retry:MaxRetries"] = "0",
            ["CompatAI:Fallback:0"] = "mistral",
            ["CompatAI:Fallback:1"] = "openai",
            ["CompatAI:Routing:Strategy"] = "Quality",
            ["CompatAI:Routing:Candidates:0:Provider"] = "mistral",
            ["CompatAI:Routing:Candidates:0:Quality"] = "0.8",
            ["CompatAI:Routing:Candidates:1:Provider"] = "openai",
            ["CompatAI:Routing:Candidates:1:Quality"] = "0.4",
        };
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton(store);
        register(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    [Fact]
    public async Task The_fallback_chain_from_configuration_honours_a_cooldown_in_the_registered_store()
    {
        var store = new InMemoryRouteStateStore();
        var now = TimeProvider.System.GetUtcNow();
        await store.ReportCooldownAsync("mistral/mistral-small-latest", now.AddMinutes(1), now);
        using var provider = Build(store, static s => s.AddCompatChatClient());
        int mistral = RequestsTo("mistral");

        var response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi");

        Assert.Equal("openai", response.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(mistral, RequestsTo("mistral"));
    }

    [Fact]
    public async Task The_router_from_configuration_honours_a_circuit_in_the_registered_store_unless_code_sets_another()
    {
        var store = new InMemoryRouteStateStore();
        var now = TimeProvider.System.GetUtcNow();
        await store.ReportCircuitOpenedAsync("mistral/mistral-small-latest", now.AddMinutes(1), now);
        int mistral = RequestsTo("mistral");

        using (var provider = Build(store, static s => s.AddCompatRouterChatClient()))
        {
            var response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi");
            Assert.Equal("openai", response.AdditionalProperties![RouterChatClient.CandidateKey]);
            Assert.Equal(mistral, RequestsTo("mistral"));
        }

        using (var provider = Build(store, static s => s.AddCompatRouterChatClient(o => o.Failover.StateStore = new InMemoryRouteStateStore())))
        {
            var response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi");
            Assert.Equal("mistral", response.AdditionalProperties![RouterChatClient.CandidateKey]);
            Assert.Equal(mistral + 1, RequestsTo("mistral"));
        }
    }
}
