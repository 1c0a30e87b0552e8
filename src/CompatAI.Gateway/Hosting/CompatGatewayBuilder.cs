using System.Diagnostics.CodeAnalysis;
using CompatAI.Gateway.Adapters;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CompatAI.Gateway.Hosting;

/// <summary>Adds providers to the gateway in code, next to the ones from configuration.</summary>
public sealed class CompatGatewayBuilder
{
    private readonly GatewayPipelineSteps _steps;

    internal CompatGatewayBuilder(IServiceCollection services, GatewayPipelineSteps steps)
    {
        Services = services;
        _steps = steps;
    }

    /// <summary>Gets the service collection the gateway is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Serves an <see cref="IChatClient"/> under a model prefix.</summary>
    /// <param name="prefix">The model prefix, for example <c>local</c> for models named <c>local/&lt;model&gt;</c>.</param>
    /// <param name="client">The client; it gets the upstream model id in <see cref="ChatOptions.ModelId"/>.</param>
    /// <param name="models">The model ids to list in <c>/v1/models</c>.</param>
    /// <returns>This builder.</returns>
    public CompatGatewayBuilder AddChatClient(string prefix, IChatClient client, params IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(client);
        var list = models.ToArray();
        return AddAdapter(prefix, _ => new ChatClientAdapter(client, list));
    }

    /// <summary>Serves an <see cref="IChatClient"/> built from the service provider under a model prefix.</summary>
    /// <param name="prefix">The model prefix.</param>
    /// <param name="factory">Builds the client once, at the first request.</param>
    /// <param name="models">The model ids to list in <c>/v1/models</c>.</param>
    /// <returns>This builder.</returns>
    public CompatGatewayBuilder AddChatClient(string prefix, Func<IServiceProvider, IChatClient> factory, IEnumerable<string>? models = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var list = (models ?? []).ToArray();
        return AddAdapter(prefix, sp => new ChatClientAdapter(factory(sp), list));
    }

    /// <summary>Serves an adapter instance under a model prefix.</summary>
    /// <param name="prefix">The model prefix.</param>
    /// <param name="adapter">The adapter.</param>
    /// <returns>This builder.</returns>
    public CompatGatewayBuilder AddAdapter(string prefix, IGatewayAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return AddAdapter(prefix, _ => adapter);
    }

    /// <summary>Serves an adapter built from the service provider (constructor injection) under a model prefix.</summary>
    /// <typeparam name="TAdapter">The adapter type.</typeparam>
    /// <param name="prefix">The model prefix.</param>
    /// <returns>This builder.</returns>
    public CompatGatewayBuilder AddAdapter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TAdapter>(string prefix)
        where TAdapter : class, IGatewayAdapter =>
        AddAdapter(prefix, sp => ActivatorUtilities.CreateInstance<TAdapter>(sp));

    /// <summary>Serves an adapter built by a factory under a model prefix.</summary>
    /// <param name="prefix">The model prefix.</param>
    /// <param name="factory">Builds the adapter once, at the first request.</param>
    /// <returns>This builder.</returns>
    public CompatGatewayBuilder AddAdapter(string prefix, Func<IServiceProvider, IGatewayAdapter> factory)
    {
        ValidatePrefix(prefix);
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddSingleton(new GatewayProviderRegistration(prefix, factory));
        return this;
    }

    /// <summary>
    /// Wraps every client built from <c>CompatAI:Providers</c> (for example with CompatAI middleware), in call order:
    /// the first step wraps the bare client.
    /// </summary>
    /// <param name="step">Receives the provider's name, its client and the service provider; returns the wrapped client.</param>
    /// <returns>This builder.</returns>
    public CompatGatewayBuilder ConfigurePipeline(Func<string, IChatClient, IServiceProvider, IChatClient> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _steps.Steps.Add(step);
        return this;
    }

    private static void ValidatePrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (prefix.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The provider prefix '{prefix}' must not contain '/'.", nameof(prefix));
        }
    }
}
