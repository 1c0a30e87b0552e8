using CompatAI;
using CompatAI.Tests.Chat;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CompatAI.Tests.DependencyInjection;

public sealed class CompatChatClientServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        register(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    [Fact]
    public void Returns_the_MEAI_builder_so_its_middleware_wraps_the_provider_pipeline()
    {
        // services.AddCompatChatClient("groq").UseFunctionInvocation() did not compile (CS1929) with CompatAI's own builder.
        using var provider = Build(new() { ["CompatAI:Providers:groq:ApiKey"] = "gsk-test" }, s => s.AddCompatChatClient("groq").UseFunctionInvocation().UseOpenTelemetry());
        var client = provider.GetRequiredService<IChatClient>();
        var invoking = Assert.IsType<FunctionInvokingChatClient>(client);
        Assert.NotNull(invoking.GetService<OpenTelemetryChatClient>());
        Assert.Equal("groq", client.GetService<ChatClientMetadata>()?.ProviderName);
        Assert.Same(client, provider.GetRequiredService<IChatClient>());
    }

    [Fact]
    public void Keyed_registration_is_resolved_by_key()
    {
        using var provider = Build(new() { ["CompatAI:Providers:groq:ApiKey"] = "gsk-test" }, s => s.AddKeyedCompatChatClient("fast", "groq", ServiceLifetime.Transient).UseFunctionInvocation());
        Assert.IsType<FunctionInvokingChatClient>(provider.GetRequiredKeyedService<IChatClient>("fast"));
        Assert.Null(provider.GetService<IChatClient>());
        Assert.NotSame(provider.GetRequiredKeyedService<IChatClient>("fast"), provider.GetRequiredKeyedService<IChatClient>("fast"));
    }

    [Fact]
    public void Binds_a_provider_from_configuration_with_its_default_pipeline()
    {
        using var provider = Build(new()
        {
            ["CompatAI:Providers:groq:ApiKey"] = "gsk-test",
            ["CompatAI:Providers:groq:Model"] = "llama-3.3-70b-versatile",
            ["CompatAI:Providers:groq:Endpoint"] = "http://127.0.0.1:1/openai/v1",
            ["CompatAI:Providers:groq:ParameterSanitizer:Mode"] = "Strict",
        }, s => s.AddCompatChatClient("groq"));

        var client = provider.GetRequiredService<IChatClient>();
        Assert.IsType<ParameterSanitizingChatClient>(Assert.IsType<ModelLifecycleChatClient>(client).InnerClientForTests());
        var metadata = Assert.IsType<ChatClientMetadata>(client.GetService(typeof(ChatClientMetadata)));
        Assert.Equal("groq", metadata.ProviderName);
        Assert.Equal("llama-3.3-70b-versatile", metadata.DefaultModelId);
        Assert.Equal(ParameterSanitizerMode.Strict, provider.GetRequiredService<IOptions<CompatAIConfiguration>>().Value.Providers["groq"].ParameterSanitizer.Mode);
    }

    [Fact]
    public void Fallback_order_comes_from_configuration()
    {
        using var provider = Build(new()
        {
            ["CompatAI:Providers:main:Provider"] = "groq",
            ["CompatAI:Providers:main:ApiKey"] = "k1",
            ["CompatAI:Providers:backup:Provider"] = "mistral",
            ["CompatAI:Providers:backup:ApiKey"] = "k2",
            ["CompatAI:Fallback:0"] = "backup",
            ["CompatAI:Fallback:1"] = "main",
            ["CompatAI:FallbackOptions:FallOverOnContextLength"] = "true",
        }, s => s.AddCompatChatClient());

        var fallback = Assert.IsType<FallbackChatClient>(provider.GetRequiredService<IChatClient>());
        Assert.Equal(["mistral", "groq"], fallback.Clients.Select(static c => ((ChatClientMetadata)c.GetService(typeof(ChatClientMetadata))!).ProviderName));
    }

    [Fact]
    public void Invalid_configuration_fails_at_startup_naming_each_key_without_secrets()
    {
        using var provider = Build(new()
        {
            ["CompatAI:Providers:main:Provider"] = "nonesuch",
            ["CompatAI:Providers:main:ApiKey"] = "sk-secret-value",
            ["CompatAI:Providers:local:Provider"] = "custom",
            ["CompatAI:Fallback:0"] = "main",
            ["CompatAI:Fallback:1"] = "missing",
            ["CompatAI:FallbackOptions:CircuitBreaker:MinimumThroughput"] = "1",
        }, s => s.AddCompatChatClient());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        string message = string.Join("\n", ex.Failures);
        Assert.Contains("CompatAI:Providers:main:Provider: 'nonesuch' is not a known provider", message);
        Assert.Contains("CompatAI:Providers:local:Endpoint is required", message);
        Assert.Contains("CompatAI:Fallback:1: 'missing' is not configured", message);
        Assert.Contains("CompatAI:FallbackOptions:", message);
        Assert.Contains("MinimumThroughput", message);
        Assert.DoesNotContain("sk-secret-value", message);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
    }

    [Fact]
    public void Retry_is_part_of_a_provider_entry_and_checked_at_startup()
    {
        using var provider = Build(new()
        {
            ["CompatAI:Providers:groq:ApiKey"] = "gsk-test",
            ["CompatAI:Providers:groq:Retry:MaxRetries"] = "-1",
        }, s => s.AddCompatChatClient("groq"));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("CompatAI:Providers:groq:Retry:", ex.Message);
        Assert.Contains("MaxRetries", ex.Message);
    }

    [Fact]
    public void A_named_provider_missing_from_configuration_is_reported_by_key()
    {
        using var provider = Build([], s => s.AddKeyedCompatChatClient("k", "deepseek"));
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<IChatClient>("k"));
        Assert.Contains("CompatAI:Providers:deepseek is missing", ex.Message);
    }

    [Fact]
    public void Profile_overrides_from_configuration_define_new_providers()
    {
        using var provider = Build(new()
        {
            ["CompatAI:Profiles:inhouse:BaseUrl"] = "http://127.0.0.1:1/v1",
            ["CompatAI:Profiles:inhouse:RequiresApiKey"] = "false",
            ["CompatAI:Profiles:inhouse:DefaultModel"] = "house-model",
            ["CompatAI:Profiles:inhouse:Quirks:SystemRole"] = "Unsupported",
            ["CompatAI:Providers:inhouse:Provider"] = "inhouse",
        }, s => s.AddCompatChatClient("inhouse"));

        provider.GetRequiredService<IStartupValidator>().Validate();
        var client = provider.GetRequiredService<IChatClient>();
        Assert.Equal("house-model", ((ChatClientMetadata)client.GetService(typeof(ChatClientMetadata))!).DefaultModelId);
        Assert.NotNull(client.GetService(typeof(SystemMergingChatClient)));
    }
}
