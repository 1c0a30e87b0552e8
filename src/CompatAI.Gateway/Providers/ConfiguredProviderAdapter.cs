using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Configuration;
using CompatAI;
using Microsoft.Extensions.AI;

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
    private readonly HttpClient _httpClient;
    private readonly IReadOnlyList<string> _configuredModels;

    public ConfiguredProviderAdapter(string name, ProviderEntry entry, Func<string?, IChatClient> build, int maxClients, HttpClient httpClient)
    {
        _name = name;
        _entry = entry;
        _build = build;
        _maxClients = Math.Max(1, maxClients);
        _httpClient = httpClient;
        _configuredModels = [.. new[] { entry.Model }.Concat(entry.Models).Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m!).Distinct(StringComparer.Ordinal)];
        if (!string.IsNullOrEmpty(entry.ApiKey))
        {
            _ownKeyClient = build(entry.ApiKey);
        }
    }

    public bool PassesCredentialThrough => _ownKeyClient is null;

    public IReadOnlyList<string> ConfiguredModels => _configuredModels;

    public async Task<IReadOnlyList<string>> ListModelsAsync(GatewayRequestContext context, CancellationToken cancellationToken)
    {
        if (!_entry.ListUpstreamModels || ResolveBaseUrl() is not { } baseUrl)
        {
            return _configuredModels;
        }

        var upstream = await FetchUpstreamModelsAsync(baseUrl, _entry.ApiKey ?? context.Credential, cancellationToken).ConfigureAwait(false);
        return [.. _configuredModels.Concat(upstream).Distinct(StringComparer.Ordinal)];
    }

    public Task<ChatResponse> CompleteAsync(GatewayChatRequest request, CancellationToken cancellationToken) =>
        ClientFor(request.Context).GetResponseAsync(request.Messages, request.Options, cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(GatewayChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = ClientFor(request.Context);
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

    private IChatClient ClientFor(GatewayRequestContext context)
    {
        if (_ownKeyClient is not null)
        {
            return _ownKeyClient;
        }

        var credential = context.Credential ?? string.Empty;
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

    private Uri? ResolveBaseUrl()
    {
        if (_entry.Endpoint is { } endpoint)
        {
            return endpoint;
        }

        var providerName = string.IsNullOrWhiteSpace(_entry.Provider) ? _name : _entry.Provider;
        return ProviderCatalog.Default.TryGet(providerName, out var profile) ? profile.BaseUrl : null;
    }

    private async Task<IReadOnlyList<string>> FetchUpstreamModelsAsync(Uri baseUrl, string? key, CancellationToken cancellationToken)
    {
        var text = baseUrl.AbsoluteUri;
        var chat = text.IndexOf("/chat/completions", StringComparison.OrdinalIgnoreCase);
        if (chat >= 0)
        {
            text = text[..chat];
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(text.TrimEnd('/') + "/models"));
        if (!string.IsNullOrEmpty(key))
        {
            var providerName = string.IsNullOrWhiteSpace(_entry.Provider) ? _name : _entry.Provider;
            var style = ProviderCatalog.Default.TryGet(providerName, out var profile) ? profile.AuthStyle : ProviderAuthStyle.Bearer;
            switch (style)
            {
                case ProviderAuthStyle.XApiKey:
                    request.Headers.TryAddWithoutValidation("x-api-key", key);
                    break;
                case ProviderAuthStyle.ApiKey:
                    request.Headers.TryAddWithoutValidation("api-key", key);
                    break;
                case ProviderAuthStyle.Header when profile?.AuthHeaderName is { Length: > 0 } header:
                    request.Headers.TryAddWithoutValidation(header, key);
                    break;
                case ProviderAuthStyle.None:
                    break;
                default:
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    break;
            }
        }

        foreach (var (header, value) in _entry.Headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /models answered HTTP {(int)response.StatusCode}.", null, response.StatusCode);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
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
