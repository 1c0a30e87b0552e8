using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>One client of an <see cref="EnsembleChatClient"/>.</summary>
public sealed class EnsembleMember
{
    /// <summary>Creates a member.</summary>
    /// <param name="client">The client (typically a provider's pipeline).</param>
    public EnsembleMember(IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
    }

    /// <summary>Gets the client.</summary>
    public IChatClient Client { get; }

    /// <summary>Gets the name in the outcomes. Default: the provider name (with the model when two members share a provider).</summary>
    public string? Name { get; init; }

    /// <summary>Gets the weight for <see cref="EnsembleMode.Vote"/> ties and <see cref="EnsembleMode.Weighted"/>. Default: 1.</summary>
    public double Weight { get; init; } = 1;
}
