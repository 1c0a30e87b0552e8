using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Providers;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Routing;

/// <summary>
/// <c>CompatAI:Fallback</c> served as the model <c>fallback</c>: the library's <see cref="FallbackChatClient"/> over the
/// listed providers' clients with <c>CompatAI:FallbackOptions</c>, as <c>AddCompatChatClient()</c> builds it. When a member
/// passes the client's credential through, there is one chain (and circuit-breaker state) per credential, bounded.
/// </summary>
internal sealed class ConfiguredFallbackAdapter : IGatewayAdapter
{
    /// <summary>The model name the chain is served as.</summary>
    public const string ModelName = "fallback";

    private readonly IReadOnlyList<(string Name, ConfiguredProviderAdapter Provider)> _members;
    private readonly FallbackOptions _options;
    private readonly bool _perCredential;
    private readonly int _maxChains;
    private readonly ConcurrentDictionary<string, FallbackChatClient> _chains = new(StringComparer.Ordinal);

    /// <summary>Creates the chain and builds it once, so that bad <c>CompatAI:FallbackOptions</c> fail at startup.</summary>
    /// <param name="members">The providers, in order, by gateway prefix.</param>
    /// <param name="options">The chain's options.</param>
    /// <param name="maxChains">The largest number of per-credential chains kept.</param>
    /// <param name="startupCredential">The placeholder credential the startup check builds pass-through members with; never sent anywhere.</param>
    public ConfiguredFallbackAdapter(IReadOnlyList<(string Name, ConfiguredProviderAdapter Provider)> members, FallbackOptions options, int maxChains, string startupCredential)
    {
        _members = members;
        _options = options;
        _perCredential = members.Any(m => m.Provider.PassesCredentialThrough);
        _maxChains = Math.Max(1, maxChains);
        try
        {
            ChainFor(startupCredential);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"{CompatAIConfiguration.SectionName}:FallbackOptions is not usable: {ex.Message}", ex);
        }
    }

    public Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public async Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken)
    {
        var chain = ChainFor(request.Context.Credential);
        var response = await chain.GetResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false);
        request.Context.ServedBy = ServedBy(chain, response.AdditionalProperties);
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = true;
        var chain = ChainFor(request.Context.Credential);
        await foreach (var update in chain.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false))
        {
            if (first)
            {
                // The chain tags its first update with the provider that serves the stream.
                request.Context.ServedBy = ServedBy(chain, update.AdditionalProperties);
                first = false;
            }

            yield return update;
        }
    }

    private FallbackChatClient ChainFor(string? credential)
    {
        var key = _perCredential ? credential ?? string.Empty : string.Empty;
        if (_chains.TryGetValue(key, out var chain))
        {
            return chain;
        }

        if (_chains.Count >= _maxChains)
        {
            // Not disposed: a FallbackChatClient disposes its members, which belong to the provider adapters.
            _chains.Clear();
        }

        // Keyed by the configured names (the gateway prefixes): two providers on one catalog profile keep their own
        // cooldowns and circuits in a shared route state store.
        return _chains.GetOrAdd(key, k => FallbackChatClient.Create([.. _members.Select(m => KeyValuePair.Create(m.Name, m.Provider.ClientFor(k.Length == 0 ? null : k)))], _options));
    }

    /// <summary>
    /// Maps the chain's tags (the catalog provider's name and the member's default model) back to the gateway prefix of
    /// the member that served; when two members share both, the first is named.
    /// </summary>
    private string? ServedBy(FallbackChatClient chain, AdditionalPropertiesDictionary? properties)
    {
        if (properties?.TryGetValue(FallbackChatClient.ProviderKey, out var value) != true || value?.ToString() is not { Length: > 0 } provider)
        {
            return null;
        }

        var model = properties.TryGetValue(FallbackChatClient.ModelKey, out var m) ? m?.ToString() : null;
        var clients = chain.Clients;
        string? byProvider = null;
        for (var i = 0; i < _members.Count; i++)
        {
            var (name, member) = _members[i];
            if (!member.ProfileName.Equals(provider, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            byProvider ??= name;
            if (model is null || string.Equals(clients[i].GetService<ChatClientMetadata>()?.DefaultModelId, model, StringComparison.Ordinal))
            {
                return name;
            }
        }

        return byProvider ?? provider;
    }
}
