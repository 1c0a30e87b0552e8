using CompatAI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CompatAI.Tests.DependencyInjection;

/// <summary>
/// The <c>CompatAI</c> section read as every build reads it (the configuration binding source generator is on in all
/// builds of the library, so these tests run the code a Native AOT application runs).
/// </summary>
public sealed class CompatAIConfigurationTests
{
    private static IConfiguration Config(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    [Fact]
    public void Options_from_AddCompatChatClient_carry_a_quirks_override_fallback_options_and_providers()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Config(new()
        {
            ["CompatAI:Providers:groq:ApiKey"] = "gsk-test",
            ["CompatAI:Providers:groq:ParameterSanitizer:Mode"] = "strict",
            ["CompatAI:Providers:groq:ParameterSanitizer:QuirksOverride:MaxChoices"] = "2",
            ["CompatAI:Providers:groq:ParameterSanitizer:QuirksOverride:SystemRole"] = "Unsupported",
            ["CompatAI:Providers:groq:ParameterSanitizer:QuirksOverride:UnsupportedParameters:0"] = "seed",
            ["CompatAI:Providers:groq:ParameterSanitizer:QuirksOverride:RenamedParameters:max_tokens"] = "max_completion_tokens",
            ["CompatAI:Fallback:0"] = "groq",
            ["CompatAI:FallbackOptions:AttemptTimeout"] = "00:00:05",
            ["CompatAI:FallbackOptions:RequireFinishReason"] = "false",
            ["CompatAI:FallbackOptions:CircuitBreaker:BreakDuration"] = "00:00:42",
        }));
        services.AddCompatChatClient("groq");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<CompatAIConfiguration>>().Value;

        var sanitizer = options.Providers["groq"].ParameterSanitizer;
        Assert.Equal(ParameterSanitizerMode.Strict, sanitizer.Mode);
        Assert.Equal(2, sanitizer.QuirksOverride!.MaxChoices);
        Assert.Equal(SystemRoleSupport.Unsupported, sanitizer.QuirksOverride.SystemRole);
        Assert.Equal(["seed"], sanitizer.QuirksOverride.UnsupportedParameters);
        Assert.Equal(new Dictionary<string, string> { ["max_tokens"] = "max_completion_tokens" }, sanitizer.QuirksOverride.RenamedParameters);
        Assert.Equal(["groq"], options.Fallback);
        Assert.Equal(TimeSpan.FromSeconds(5), options.FallbackOptions.AttemptTimeout);
        Assert.False(options.FallbackOptions.RequireFinishReason);
        Assert.Equal(TimeSpan.FromSeconds(42), options.FallbackOptions.CircuitBreaker.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(60), options.FallbackOptions.CircuitBreaker.SamplingDuration); // not named, the default
        Assert.Same(TimeProvider.System, options.FallbackOptions.TimeProvider);
    }

    [Fact]
    public void A_bad_quirks_override_value_names_the_key()
    {
        var compat = new CompatAIConfiguration();

        var error = Assert.Throws<InvalidOperationException>(() => compat.Bind(Config(new() { ["CompatAI:Providers:groq:ParameterSanitizer:QuirksOverride:MaxChoices"] = "two" }).GetSection("CompatAI")));

        Assert.Contains("'CompatAI:Providers:groq:ParameterSanitizer:QuirksOverride:MaxChoices' is 'two', which is not a valid whole number", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CompatAI:FallbackOptions:TimeProvider")]
    [InlineData("CompatAI:FallbackOptions:StateStore:Anything")]
    public void A_service_property_named_in_configuration_is_an_error_naming_the_key(string key)
    {
        var compat = new CompatAIConfiguration();

        var error = Assert.Throws<InvalidOperationException>(() => compat.Bind(Config(new() { [key] = "x" }).GetSection("CompatAI")));

        var property = key.Split(':')[2];
        Assert.Equal($"Configuration 'CompatAI:FallbackOptions:{property}' cannot be set: {property} is a service object, set in code or registered as a service.", error.Message);
    }

    [Fact]
    public void Routing_failover_and_probe_settings_bind_and_their_service_properties_are_refused()
    {
        var routing = CompatRoutingConfiguration.Read(Config(new()
        {
            ["CompatAI:Routing:Strategy"] = "Latency",
            ["CompatAI:Routing:Failover:FallOverOnContextLength"] = "true",
            ["CompatAI:Routing:Failover:CircuitBreaker:MinimumThroughput"] = "7",
            ["CompatAI:Routing:Probes:Jitter"] = "0.25",
            ["CompatAI:Routing:Candidates:0:Provider"] = "groq",
        }));

        Assert.Equal(RoutingStrategy.Latency, routing.Strategy);
        Assert.True(routing.Failover.FallOverOnContextLength);
        Assert.Equal(7, routing.Failover.CircuitBreaker.MinimumThroughput);
        Assert.Equal(0.25, routing.Probes.Jitter);
        Assert.Equal(TimeSpan.FromSeconds(30), routing.Probes.Interval); // not named, the default
        Assert.Equal("groq", Assert.Single(routing.Candidates).Provider);

        var store = Assert.Throws<InvalidOperationException>(() => CompatRoutingConfiguration.Read(Config(new() { ["CompatAI:Routing:Failover:StateStore"] = "redis" })));
        Assert.Contains("'CompatAI:Routing:Failover:StateStore' cannot be set", store.Message, StringComparison.Ordinal);
        var random = Assert.Throws<InvalidOperationException>(() => CompatRoutingConfiguration.Read(Config(new() { ["CompatAI:Routing:Probes:Random"] = "42" })));
        Assert.Contains("'CompatAI:Routing:Probes:Random' cannot be set", random.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<InvalidOperationException>(() => CompatRoutingConfiguration.Read(Config(new() { ["CompatAI:Routing:Failover:Retries"] = "3" })));
        Assert.Contains("Retries", unknown.Message, StringComparison.Ordinal);
    }
}
