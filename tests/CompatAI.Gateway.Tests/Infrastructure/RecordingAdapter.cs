using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CompatAI.Gateway.Adapters;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>An adapter that records the request context it is handed, and can fail with a message quoting the credential.</summary>
internal sealed class RecordingAdapter : IGatewayAdapter
{
    public ConcurrentQueue<GatewayRequestContext> Contexts { get; } = new();

    public Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken)
    {
        Contexts.Enqueue(context);
        return Task.FromResult<IReadOnlyList<string>>(["m"]);
    }

    public Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken)
    {
        Contexts.Enqueue(request.Context);
        if (request.Options.ModelId == "leaky-crash")
        {
            // A careless adapter: its exception quotes the caller's key. The gateway must not log or return it.
            throw new InvalidOperationException($"upstream refused key {request.Context.Credential}");
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Contexts.Enqueue(request.Context);
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "ok");
    }
}
