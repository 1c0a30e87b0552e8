using CompatAI.Gateway.Configuration;
using CompatAI.Gateway.Endpoints;
using CompatAI.Gateway.Providers;
using CompatAI.Gateway.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CompatAI.Gateway.Hosting;

/// <summary>Registers the OpenAI-compatible gateway's services.</summary>
public static class CompatGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway: providers, profile overrides and the fallback chain from the same schema as
    /// <c>AddCompatChatClient</c> (<c>CompatAI:Providers:&lt;name&gt;</c>, <c>CompatAI:Profiles</c>, <c>CompatAI:Fallback</c>,
    /// <c>CompatAI:FallbackOptions</c>), gateway-only settings from <c>CompatAI:Gateway</c>, and the built-in <c>echo</c> provider.
    /// It also registers the gateway's limits (<c>CompatAI:Gateway:Limits</c>): Kestrel's connection, header and body
    /// limits, and an ASP.NET Core rate-limiting policy for <c>/v1</c>, which needs <c>app.UseRateLimiter()</c> in the app.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root to read the <c>CompatAI</c> sections from.</param>
    /// <returns>A builder to add providers in code.</returns>
    public static CompatGatewayBuilder AddCompatGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var steps = services.FirstOrDefault(d => d.ServiceType == typeof(GatewayPipelineSteps))?.ImplementationInstance as GatewayPipelineSteps;
        if (steps is null)
        {
            steps = new GatewayPipelineSteps();
            services.AddSingleton(steps);
        }

        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName));
        services.TryAddSingleton(new GatewayConfigurationSource(configuration));
        services.TryAddSingleton<UpstreamHttpClient>();
        services.TryAddSingleton<IProviderClientFactory, CompatProviderClientFactory>();
        GatewaySharedState.Add(services, configuration);
        services.TryAddSingleton<Policies.GatewayChatPolicies>();
        services.TryAddSingleton<GatewayRuntime>();
        services.TryAddSingleton<ModelDirectory>();
        services.TryAddSingleton<ChatCompletionsEndpoint>();
        services.TryAddSingleton<ProviderApiRequests>();
        services.TryAddSingleton<EmbeddingsEndpoint>();
        services.TryAddSingleton<CompletionsEndpoint>();
        services.TryAddSingleton<ModerationsEndpoint>();
        services.TryAddSingleton<ModelsEndpoint>();
        services.AddRateLimiter(o => o.AddPolicy<string, GatewayConcurrencyPolicy>(GatewayConcurrencyPolicy.Name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, GatewayKestrelLimitsSetup>());
        return new CompatGatewayBuilder(services, steps);
    }
}
