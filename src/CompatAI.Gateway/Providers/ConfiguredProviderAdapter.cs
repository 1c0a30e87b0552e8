using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Configuration;
using Microsoft.Extensions.AI;
using OpenAIChatClient = OpenAI.Chat.ChatClient;

namespace CompatAI.Gateway.Providers;

/// <summary>
/// A provider from configuration. With its own key it uses one client; without, it passes the client's credential
/// through, keeping one client per distinct credential (bounded).
/// </summary>
internal sealed class ConfiguredProviderAdapter : IGatewayAdapter, IDisposable
{
    private readonly string _name;
    private readonly ProviderEntry _entry;
    private readonly Func<string?, IChatClient> _build;
    private readonly IChatClient? _ownKeyClient;
    private readonly ConcurrentDictionary<string, IChatClient> _byCredential = new(StringComparer.Ordinal);
    private readonly int _maxClients;
    private readonly IReadOnlyList<string> _configuredModels;

    public ConfiguredProviderAdapter(string name, string profileName, string? ownApiKey, string? model, ProviderEntry entry, Func<string?, IChatClient> build, int maxClients)
    {
        _name = name;
        ProfileName = profileName;
        _entry = entry;
        _build = build;
        _maxClients = Math.Max(1, maxClients);
        _configuredModels = [.. new[] { model }.Concat(entry.Models).Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m!).Distinct(StringComparer.Ordinal)];
        if (!string.IsNullOrEmpty(ownApiKey))
        {
            _ownKeyClient = build(ownApiKey);
        }
    }

    /// <summary>Gets the catalog name of the provider (for example <c>groq</c> for an entry named <c>fast</c>).</summary>
    public string ProfileName { get; }

    public bool PassesCredentialThrough => _ownKeyClient is null;

    public IReadOnlyList<string> ConfiguredModels => _configuredModels;

    public async Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken)
    {
        if (!_entry.ListUpstreamModels)
        {
            return _configuredModels;
        }

        // Ask through the provider's own OpenAI SDK pipeline, so that its auth style, headers, endpoint and transport are
        // the library's, exactly as for chat requests. A client without one (a custom factory's) lists what is configured.
        var client = ClientFor(context.Credential);
        if (client.GetService<OpenAIChatClient>() is not { } sdk || client.GetService<ChatClientMetadata>()?.ProviderUri is not { } baseUrl)
        {
            return _configuredModels;
        }

        var upstream = await FetchUpstreamModelsAsync(sdk.Pipeline, baseUrl, cancellationToken).ConfigureAwait(false);
        return [.. _configuredModels.Concat(upstream).Distinct(StringComparer.Ordinal)];
    }

    public Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken) =>
        ClientFor(request.Context.Credential).GetResponseAsync(request.Messages, request.Options, cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = ClientFor(request.Context.Credential);
        await foreach (var update in client.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    public void Dispose()
    {
        _ownKeyClient?.Dispose();
        foreach (var client in _byCredential.Values)
        {
            client.Dispose();
        }
    }

    /// <summary>Returns the client for a request: the provider's own-key client, or the one for the client's credential.</summary>
    internal IChatClient ClientFor(string? credential)
    {
        if (_ownKeyClient is not null)
        {
            return _ownKeyClient;
        }

        credential ??= string.Empty;
        if (_byCredential.TryGetValue(credential, out var client))
        {
            return client;
        }

        if (_byCredential.Count >= _maxClients)
        {
            // Bounded: forget the old clients rather than grow without limit under many distinct keys. They are not
            // disposed, since requests may still be using them; they share the gateway's HttpClient and hold nothing else.
            _byCredential.Clear();
        }

        return _byCredential.GetOrAdd(credential, c => BuildForCredential(c.Length == 0 ? null : c));
    }

    private IChatClient BuildForCredential(string? credential)
    {
        try
        {
            return _build(credential);
        }
        catch (ArgumentException ex) when (credential is null)
        {
            throw new ProviderException(_name, ProviderErrorKind.Authentication,
                $"Provider '{_name}' has no API key of its own and the request carried none. Send the provider's key as 'Authorization: Bearer <key>', or set CompatAI:Providers:{_name}:ApiKey.",
                401, "missing_api_key", innerException: ex);
        }
    }

    private static async Task<IReadOnlyList<string>> FetchUpstreamModelsAsync(ClientPipeline pipeline, Uri baseUrl, CancellationToken cancellationToken)
    {
        // The library's endpoint is already normalized (no trailing /chat/completions); the models list sits beside it.
        var text = baseUrl.AbsoluteUri;
        using var message = pipeline.CreateMessage();
        message.Request.Method = "GET";
        message.Request.Uri = new Uri(text.EndsWith('/') ? text + "models" : text + "/models");
        message.Request.Headers.Set("Accept", "application/json");
        message.Apply(new RequestOptions { CancellationToken = cancellationToken });
        await pipeline.SendAsync(message).ConfigureAwait(false);
        var response = message.Response!;
        if (response.IsError)
        {
            throw new HttpRequestException($"GET /models answered HTTP {response.Status}.", null, (System.Net.HttpStatusCode)response.Status);
        }

        using var document = JsonDocument.Parse(response.Content.ToMemory());
        var ids = new List<string>();
        if (document.RootElement.ValueKind == JsonValueKind.Object &&
            document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in data.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } value)
                {
                    ids.Add(value);
                }
            }
        }

        return ids;
    }
}
