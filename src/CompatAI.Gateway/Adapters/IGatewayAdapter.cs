using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Adapters;

/// <summary>
/// A provider the gateway can route to: it lists its models, answers a chat request and streams one.
/// Implement this (or register any <see cref="IChatClient"/>) to add a private provider under a model prefix.
/// </summary>
public interface IGatewayAdapter
{
    /// <summary>Lists the upstream model ids this provider serves (without the gateway prefix).</summary>
    /// <param name="context">The inbound request: its allow-listed headers and the client's credential.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    /// <returns>The model ids; an empty list when the provider cannot list its models.</returns>
    Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken);

    /// <summary>Answers a chat request in one response.</summary>
    /// <param name="request">The validated request, already mapped to Microsoft.Extensions.AI types.</param>
    /// <param name="cancellationToken">Cancelled at once when the client disconnects.</param>
    /// <returns>The complete response.</returns>
    Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken);

    /// <summary>Streams the answer to a chat request.</summary>
    /// <param name="request">The validated request, already mapped to Microsoft.Extensions.AI types.</param>
    /// <param name="cancellationToken">Cancelled at once when the client disconnects.</param>
    /// <returns>The updates, in order.</returns>
    IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, CancellationToken cancellationToken);
}
