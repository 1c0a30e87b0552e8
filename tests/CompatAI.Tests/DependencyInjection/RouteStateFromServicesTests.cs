using CompatAI;
using CompatAI.Emulator;
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

    private ServiceProvider Build(IRouteStateStore store, Action<IServiceCollection> register, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(fixture.ProviderSettings("mistral", "mistral", "mistral-small-latest").Concat(fixture.ProviderSettings("openai", "openai", "gpt-4o-mini")))
        {
            ["CompatAI:Fallback:0"] = "mistral",
            ["CompatAI:Fallback:1"] = "openai",
            ["CompatAI:Routing:Strategy"] = "Quality",
            ["CompatAI:Routing:Candidates:0:Provider"] = "mistral",
            ["CompatAI:Routing:Candidates:0:Quality"] = "0.8",
            ["CompatAI:Routing:Candidates:1:Provider"] = "openai",
            ["CompatAI:Routing:Candidates:1:Quality"] = "0.4",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

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
    public async Task Two_configured_providers_on_one_catalog_profile_keep_their_own_cooldowns_in_the_registered_store()
    {
        // "backup" is a second account of the openai profile with the same model: its route state is its own.
        var store = new InMemoryRouteStateStore();
        using var provider = Build(store, static s => s.AddCompatChatClient(), new Dictionary<string, string?>(fixture.ProviderSettings("backup", "openai", "gpt-4o-mini"))
        {
            ["CompatAI:Fallback:0"] = "openai",
            ["CompatAI:Fallback:1"] = "backup",
        });
        var client = provider.GetRequiredService<IChatClient>();
        fixture.Emulator.EnqueueFault("openai", EmulatorFault.WithStatus(429, TimeSpan.FromMinutes(5)));
        int openai = RequestsTo("openai");

        var first = await client.GetResponseAsync("rate limited on the first account");

        Assert.Equal(2, first.AdditionalProperties![FallbackChatClient.AttemptsKey]);
        Assert.Equal(openai + 2, RequestsTo("openai"));
        Assert.NotNull(store.GetState("openai/gpt-4o-mini").CooldownUntil);
        Assert.Null(store.GetState("backup/gpt-4o-mini").CooldownUntil);

        // The first account is skipped without a call; the second, on the same profile, still serves.
        var second = await client.GetResponseAsync("the second account is not cooling down");

        Assert.Equal(1, second.AdditionalProperties![FallbackChatClient.AttemptsKey]);
        Assert.Equal(openai + 3, RequestsTo("openai"));
    }

    [Fact]
    public void A_chain_with_two_clients_of_one_name_is_a_clear_error()
    {
        using var first = fixture.Pipeline("openai", "gpt-4o-mini");
        using var second = fixture.Pipeline("openai", "gpt-4o-mini");

        var error = Assert.Throws<ArgumentException>(() => FallbackChatClient.Create([KeyValuePair.Create("openai", first), KeyValuePair.Create("openai", second)]));

        Assert.Equal("clients", error.ParamName);
        Assert.Contains("both named 'openai'", error.Message, StringComparison.Ordinal);
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
