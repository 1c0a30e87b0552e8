using CompatAI.Builder;
using CompatAI.Client;
using CompatAI.Middleware.Fallback;
using CompatAI.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CompatAI.DependencyInjection;

/// <summary>
/// Registers CompatAI chat clients as <see cref="IChatClient"/> (singleton by default) and returns the
/// <see cref="CompatChatClientBuilder"/>, to which middleware can still be added. Clients are read from the
/// <c>CompatAI</c> configuration section (see <see cref="CompatAIConfiguration"/>) or built around a given inner client.
/// </summary>
public static class CompatChatClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers the client of one provider under <c>CompatAI:Providers:&lt;providerName&gt;</c>, or, when
    /// <paramref name="providerName"/> is <see langword="null"/>, a fallback chain over the providers listed in
    /// <c>CompatAI:Fallback</c> (or the only configured provider). Each provider gets its default pipeline; the
    /// configuration is validated at startup (and when the client is first resolved), with errors that name the key.
    /// Profile overrides under <c>CompatAI:Profiles:&lt;name&gt;</c> (any <see cref="ProviderProfile"/> property, for
    /// example <c>Quirks:MaxStopSequences</c>, or a whole new provider) are applied to the catalog first.
    /// </summary>
    /// <param name="services">The services; an <see cref="IConfiguration"/> must be registered (hosts do this).</param>
    /// <param name="providerName">The configuration name of the provider; <see langword="null"/> for the fallback chain.</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>The builder, for adding middleware around the pipeline.</returns>
    public static CompatChatClientBuilder AddCompatChatClient(this IServiceCollection services, string? providerName = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        => AddFromConfiguration(services, serviceKey: null, keyed: false, providerName, lifetime);

    /// <summary>Registers <paramref name="innerClient"/> wrapped in whatever middleware is added to the returned builder.</summary>
    /// <param name="services">The services.</param>
    /// <param name="innerClient">The innermost client.</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>The builder.</returns>
    public static CompatChatClientBuilder AddCompatChatClient(this IServiceCollection services, IChatClient innerClient, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(innerClient);
        return AddCompatChatClient(services, _ => innerClient, lifetime);
    }

    /// <summary>Registers the client made by <paramref name="innerClientFactory"/>, wrapped in the middleware added to the returned builder.</summary>
    /// <param name="services">The services.</param>
    /// <param name="innerClientFactory">Creates the innermost client.</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>The builder.</returns>
    public static CompatChatClientBuilder AddCompatChatClient(this IServiceCollection services, Func<IServiceProvider, IChatClient> innerClientFactory, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(innerClientFactory);
        var builder = new CompatChatClientBuilder(innerClientFactory);
        services.Add(new ServiceDescriptor(typeof(IChatClient), sp => builder.Build(sp), lifetime));
        return builder;
    }

    /// <summary>Like <see cref="AddCompatChatClient(IServiceCollection, string?, ServiceLifetime)"/>, registered under <paramref name="serviceKey"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The key of the registration.</param>
    /// <param name="providerName">The configuration name of the provider; <see langword="null"/> for the fallback chain.</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>The builder.</returns>
    public static CompatChatClientBuilder AddKeyedCompatChatClient(this IServiceCollection services, object? serviceKey, string? providerName = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        => AddFromConfiguration(services, serviceKey, keyed: true, providerName, lifetime);

    /// <summary>Like <see cref="AddCompatChatClient(IServiceCollection, IChatClient, ServiceLifetime)"/>, registered under <paramref name="serviceKey"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The key of the registration.</param>
    /// <param name="innerClient">The innermost client.</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>The builder.</returns>
    public static CompatChatClientBuilder AddKeyedCompatChatClient(this IServiceCollection services, object? serviceKey, IChatClient innerClient, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(innerClient);
        return AddKeyedCompatChatClient(services, serviceKey, _ => innerClient, lifetime);
    }

    /// <summary>Like <see cref="AddCompatChatClient(IServiceCollection, Func{IServiceProvider, IChatClient}, ServiceLifetime)"/>, registered under <paramref name="serviceKey"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The key of the registration.</param>
    /// <param name="innerClientFactory">Creates the innermost client.</param>
    /// <param name="lifetime">The lifetime of the client. Default: singleton.</param>
    /// <returns>The builder.</returns>
    public static CompatChatClientBuilder AddKeyedCompatChatClient(this IServiceCollection services, object? serviceKey, Func<IServiceProvider, IChatClient> innerClientFactory, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(innerClientFactory);
        var builder = new CompatChatClientBuilder(innerClientFactory);
        services.Add(new ServiceDescriptor(typeof(IChatClient), serviceKey, (sp, _) => builder.Build(sp), lifetime));
        return builder;
    }

    private static CompatChatClientBuilder AddFromConfiguration(IServiceCollection services, object? serviceKey, bool keyed, string? providerName, ServiceLifetime lifetime)
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
                .Configure<IConfiguration>(static (options, configuration) => configuration.GetSection(CompatAIConfiguration.SectionName).Bind(options))
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CompatAIConfiguration>, CompatAIConfigurationValidator>());
        }

        registrations.RequestedProviders.Add(providerName);
        Func<IServiceProvider, IChatClient> inner = sp => CreateFromConfiguration(sp, providerName);
        return keyed ? AddKeyedCompatChatClient(services, serviceKey, inner, lifetime) : AddCompatChatClient(services, inner, lifetime);
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

        return new FallbackChatClient([.. configuration.Fallback.Select(name => CreateProvider(configuration, catalog, name, loggerFactory))], configuration.FallbackOptions);
    }

    private static IChatClient CreateProvider(CompatAIConfiguration configuration, ProviderCatalog catalog, string name, ILoggerFactory? loggerFactory)
    {
        var settings = configuration.Providers[name];
        var options = new CompatChatClientOptions
        {
            Catalog = catalog,
            Provider = settings.Provider ?? name,
            Endpoint = settings.Endpoint,
            ApiKey = settings.ApiKey,
            Model = settings.Model,
            Timeout = settings.Timeout,
        };
        foreach (var (header, value) in settings.Headers)
        {
            options.Headers[header] = value;
        }

        var adapter = new OpenAICompatibleChatClient(options);
        return CompatPipeline.Compose(adapter, adapter.Profile, adapter.Model, new CompatPipelineOptions
        {
            ParameterSanitizer = settings.ParameterSanitizer,
            Reasoning = settings.Reasoning,
            SystemMerge = settings.SystemMerge,
        }, loggerFactory);
    }
}
