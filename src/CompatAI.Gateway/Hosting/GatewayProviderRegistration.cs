using CompatAI.Gateway.Adapters;

namespace CompatAI.Gateway.Hosting;

/// <summary>A provider registered in code under a model prefix.</summary>
internal sealed record GatewayProviderRegistration(string Name, Func<IServiceProvider, IGatewayAdapter> Factory);

/// <summary>Steps that wrap each configured provider's client, in registration order.</summary>
internal sealed class GatewayPipelineSteps
{
    public List<Func<string, Microsoft.Extensions.AI.IChatClient, IServiceProvider, Microsoft.Extensions.AI.IChatClient>> Steps { get; } = [];
}
