using CompatAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers CompatAI chat clients from the <c>CompatAI</c> configuration section (see <see cref="CompatAIConfiguration"/>)
/// with Microsoft.Extensions.AI's <c>AddChatClient</c>, and returns its <see cref="ChatClientBuilder"/>, to which
/// application middleware (<c>UseFunctionInvocation</c>, <c>UseOpenTelemetry</c>, ...) is added around the provider's pipeline.
/// </summary>
public static class CompatChatClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers the client of one provider under <c>CompatAI:Providers:&lt;providerName&gt;</c>, or, when
    /// <paramref name="providerName"/> is <see langword="null"/>, a fallback chain over the providers listed in
    /// <c>CompatAI:Fallback</c> (or the only configured provider). Each provider gets its default pipeline; the
    /// configuration is validated at startup (and when the client is first resolved), with errors that name the key.
    /// Profile overrides under <c>CompatAI:Profiles:&lt;name&gt;</c> (any <see cref="ProviderProfile"/> property, for
    /// example <c>Quirks:MaxStopSequences</c>, or a whole new provider) are applied to the catalog first. A fallback chain
    /// shares its cooldowns and circuit state through an <see cref="IRouteStateStore"/> registered in the services (for
    /// example by CompatAI.StackExchangeRedis's <c>AddCompatRedisRouteState</c>).
    /// </summary>
    /// <param name="services">The services; an <see cref="IConfiguration"/> must be registered (hosts do this).</param>
    /// <param name="providerName">The configuration name of the provider; <see langword="null"/> for the fallback chain.</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>Microsoft.Extensions.AI's builder, for adding middleware around the provider's pipeline.</returns>
    public static ChatClientBuilder AddCompatChatClient(this IServiceCollection services, string? providerName = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        => AddFromConfiguration(services, serviceKey: null, keyed: false, providerName, lifetime);

    /// <summary>Like <see cref="AddCompatChatClient(IServiceCollection, string?, ServiceLifetime)"/>, registered under <paramref name="serviceKey"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The key of the registration.</param>
    /// <param name="providerName">The configuration name of the provider; <see langword="null"/> for the fallback chain.</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>Microsoft.Extensions.AI's builder.</returns>
    public static ChatClientBuilder AddKeyedCompatChatClient(this IServiceCollection services, object? serviceKey, string? providerName = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        => AddFromConfiguration(services, serviceKey, keyed: true, providerName, lifetime);

    private static ChatClientBuilder AddFromConfiguration(IServiceCollection services, object? serviceKey, bool keyed, string? providerName, ServiceLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (providerName is not null && string.IsNullOrWhiteSpace(providerName))
        {
            throw new ArgumentException("The provider name must not be empty; pass null for the fallback chain.", nameof(providerName));
        }

        var registrations = services.FirstOrDefault(static d => d.ServiceType == typeof(CompatRegistrations) && !d.IsKeyedService)?.ImplementationInstance as CompatRegistrations;
        if (registrations is null)
        {
            registrations = new CompatRegistrations();
            services.AddSingleton(registrations);
            services.AddOptions<CompatAIConfiguration>()
                .Configure<IConfiguration>(static (options, configuration) => options.Bind(configuration.GetSection(CompatAIConfiguration.SectionName)))
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CompatAIConfiguration>, CompatAIConfigurationValidator>());
        }

        registrations.RequestedProviders.Add(providerName);
        Func<IServiceProvider, IChatClient> inner = sp => CreateFromConfiguration(sp, providerName);
        return keyed ? services.AddKeyedChatClient(serviceKey, inner, lifetime) : services.AddChatClient(inner, lifetime);
    }

    private static IChatClient CreateFromConfiguration(IServiceProvider services, string? providerName)
    {
        var configuration = services.GetRequiredService<IOptions<CompatAIConfiguration>>().Value;
        var catalog = CompatAIConfiguration.CatalogFrom(services.GetRequiredService<IConfiguration>());
        var loggerFactory = services.GetService<ILoggerFactory>();
        if (providerName is not null)
        {
            return CreateProvider(configuration, catalog, providerName, loggerFactory);
        }

        if (configuration.Fallback.Count == 0)
        {
            return CreateProvider(configuration, catalog, configuration.Providers.Keys.Single(), loggerFactory);
        }

        // A route state store registered in the services (AddCompatRedisRouteState) shares cooldowns and circuits, unless code set one.
        configuration.FallbackOptions.StateStore ??= services.GetService<IRouteStateStore>();
        // Keyed by the configured names: two providers on one catalog profile keep their own cooldowns and circuits.
        return FallbackChatClient.Create(
            [.. configuration.Fallback.Select(name => KeyValuePair.Create(name, CreateProvider(configuration, catalog, name, loggerFactory)))],
            configuration.FallbackOptions);
    }

    private static IChatClient CreateProvider(CompatAIConfiguration configuration, ProviderCatalog catalog, string name, ILoggerFactory? loggerFactory)
    {
        var options = configuration.Providers[name].ToClientOptions(name, catalog);
        options.LoggerFactory = loggerFactory;
        return CompatChatClient.Create(options);
    }
}
