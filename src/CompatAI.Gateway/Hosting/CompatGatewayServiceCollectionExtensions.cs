using CompatAI.Gateway.Configuration;
using CompatAI.Gateway.Endpoints;
using CompatAI.Gateway.Providers;
using CompatAI.Gateway.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompatAI.Gateway.Hosting;

/// <summary>Registers the OpenAI-compatible gateway's services.</summary>
public static class CompatGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway: providers, profile overrides and the fallback chain from the same schema as
    /// <c>AddCompatChatClient</c> (<c>CompatAI:Providers:&lt;name&gt;</c>, <c>CompatAI:Profiles</c>, <c>CompatAI:Fallback</c>,
    /// <c>CompatAI:FallbackOptions</c>), gateway-only settings from <c>CompatAI:Gateway</c>, and the built-in <c>echo</c> provider.
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
        services.TryAddSingleton<GatewayRuntime>();
        services.TryAddSingleton<ModelDirectory>();
        services.TryAddSingleton<ChatCompletionsEndpoint>();
        services.TryAddSingleton<ModelsEndpoint>();
        return new CompatGatewayBuilder(services, steps);
    }
}
