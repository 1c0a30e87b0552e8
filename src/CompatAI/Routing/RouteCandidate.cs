using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>One client a <see cref="RouterChatClient"/> may send a request to, with what routing needs to know about it.</summary>
public sealed class RouteCandidate
{
    /// <summary>Creates a candidate.</summary>
    /// <param name="client">The client (typically a provider's pipeline from <see cref="CompatChatClient.Create"/>).</param>
    public RouteCandidate(IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
    }

    /// <summary>Gets the client.</summary>
    public IChatClient Client { get; }

    /// <summary>Gets the name in responses, telemetry and health. Default: the provider name (with the model when two candidates share a provider).</summary>
    public string? Name { get; init; }

    /// <summary>Gets the catalog provider, for prices and capabilities. Default: the client's <see cref="ProviderProfile"/>.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the model the client calls. Default: the client's <see cref="ChatClientMetadata.DefaultModelId"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the quality score for <see cref="RoutingStrategy.Quality"/> and <see cref="RoutingStrategy.Balanced"/> (any non-negative scale). Default: 0.</summary>
    public double Quality { get; init; }

    /// <summary>Gets the weight for <see cref="RoutingStrategy.WeightedRandom"/> (non-negative). Default: 1.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Gets capabilities stated for this candidate, laid over what the profile says (see <see cref="ModelCapabilities.From"/>).</summary>
    public ModelCapabilities? Capabilities { get; init; }
}
