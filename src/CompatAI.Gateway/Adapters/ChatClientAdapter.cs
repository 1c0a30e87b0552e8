using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Adapters;

/// <summary>Serves any <see cref="IChatClient"/> (a CompatAI pipeline or your own) as a gateway provider.</summary>
public sealed class ChatClientAdapter : IGatewayAdapter
{
    private readonly Func<GatewayRequestContext, IChatClient> _clientSelector;
    private readonly IReadOnlyList<string> _models;

    /// <summary>Creates an adapter over one client.</summary>
    /// <param name="client">The client; it receives the upstream model id in <see cref="ChatOptions.ModelId"/>.</param>
    /// <param name="models">The model ids to list under this provider's prefix.</param>
    public ChatClientAdapter(IChatClient client, IEnumerable<string>? models = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _clientSelector = _ => client;
        _models = [.. (models ?? []).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Creates an adapter that picks a client per request, for example one per client credential.</summary>
    /// <param name="clientSelector">Returns the client to use for a request.</param>
    /// <param name="models">The model ids to list under this provider's prefix.</param>
    public ChatClientAdapter(Func<GatewayRequestContext, IChatClient> clientSelector, IEnumerable<string>? models = null)
    {
        ArgumentNullException.ThrowIfNull(clientSelector);
        _clientSelector = clientSelector;
        _models = [.. (models ?? []).Distinct(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken) =>
        Task.FromResult(_models);

    /// <inheritdoc />
    public Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _clientSelector(request.Context).GetResponseAsync(request.Messages, request.Options, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = _clientSelector(request.Context);
        await foreach (var update in client.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }
}
