using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Providers;

/// <summary>
/// The library's embeddings, completions and moderation clients of one configured provider, built from the same
/// connection settings as its chat client (<c>CompatAI:Providers:&lt;name&gt;</c>: provider, endpoint, key, headers,
/// timeout, retry, profile overrides) over the gateway's shared upstream <see cref="HttpClient"/>. With its own key a
/// provider keeps one client per model; without, one per model and passed-through credential (bounded, as for chat).
/// </summary>
internal sealed class ProviderApiClients : IDisposable
{
    private readonly string _name;
    private readonly string? _ownApiKey;
    private readonly Func<string?, CompatChatClientOptions> _optionsFor;
    private readonly HttpClient _http;
    private readonly int _maxClients;
    private readonly ConcurrentDictionary<(string Kind, string? Model, string Credential), object> _clients = new();

    public ProviderApiClients(string name, ProviderProfile profile, string? ownApiKey, Func<string?, CompatChatClientOptions> optionsFor, HttpClient http, int maxClients)
    {
        _name = name;
        Profile = profile;
        _ownApiKey = string.IsNullOrEmpty(ownApiKey) ? null : ownApiKey;
        _optionsFor = optionsFor;
        _http = http;
        _maxClients = Math.Max(1, maxClients) * 3;
    }

    /// <summary>Gets the provider's profile (with <c>CompatAI:Profiles</c> overrides), which says which endpoints it serves.</summary>
    public ProviderProfile Profile { get; }

    /// <summary>Returns the embedding generator for <paramref name="model"/> (the profile's default when <see langword="null"/>).</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Embeddings(string? model, string? credential) =>
        (IEmbeddingGenerator<string, Embedding<float>>)Get("embeddings", model, credential, key =>
        {
            var chat = _optionsFor(key);
            var options = new CompatEmbeddingGeneratorOptions
            {
                Provider = chat.Provider, Endpoint = chat.Endpoint, ApiKey = chat.ApiKey, Model = model, Timeout = chat.Timeout,
                Retry = chat.Retry, Catalog = chat.Catalog, HttpClient = _http,
            };
            Copy(chat.Headers, options.Headers);
            return CompatEmbeddingGenerator.Create(options);
        });

    /// <summary>Returns the text completions client for <paramref name="model"/> (the profile's default when <see langword="null"/>).</summary>
    public CompletionClient Completions(string? model, string? credential) =>
        (CompletionClient)Get("completions", model, credential, key =>
        {
            var chat = _optionsFor(key);
            var options = new CompletionClientOptions
            {
                Provider = chat.Provider, Endpoint = chat.Endpoint, ApiKey = chat.ApiKey, Model = model, Timeout = chat.Timeout,
                Retry = chat.Retry, Catalog = chat.Catalog, HttpClient = _http,
            };
            Copy(chat.Headers, options.Headers);
            return new CompletionClient(options);
        });

    /// <summary>Returns the moderation client for <paramref name="model"/> (the profile's default when <see langword="null"/>).</summary>
    public CompatModerationClient Moderation(string? model, string? credential) =>
        (CompatModerationClient)Get("moderations", model, credential, key =>
        {
            var chat = _optionsFor(key);
            var options = new CompatModerationClientOptions
            {
                Provider = chat.Provider, Endpoint = chat.Endpoint, ApiKey = chat.ApiKey, Model = model, Timeout = chat.Timeout,
                Retry = chat.Retry, Catalog = chat.Catalog, HttpClient = _http,
            };
            Copy(chat.Headers, options.Headers);
            return new CompatModerationClient(options);
        });

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            (client as IDisposable)?.Dispose();
        }
    }

    private object Get(string kind, string? model, string? credential, Func<string?, object> build)
    {
        var key = _ownApiKey ?? credential ?? string.Empty;
        var cacheKey = (kind, model, _ownApiKey is null ? key : string.Empty);
        if (_clients.TryGetValue(cacheKey, out var client))
        {
            return client;
        }

        if (_clients.Count >= _maxClients)
        {
            // Bounded under many distinct keys or models; the clients hold nothing but the shared HttpClient.
            _clients.Clear();
        }

        try
        {
            return _clients.GetOrAdd(cacheKey, _ => build(key.Length == 0 ? null : key));
        }
        catch (ArgumentException ex) when (key.Length == 0)
        {
            throw new ProviderException(_name, ProviderErrorKind.Authentication,
                $"Provider '{_name}' has no API key of its own and the request carried none. Send the provider's key as 'Authorization: Bearer <key>', or set CompatAI:Providers:{_name}:ApiKey.",
                401, "missing_api_key", innerException: ex);
        }
    }

    private static void Copy(IDictionary<string, string> from, IDictionary<string, string> to)
    {
        foreach (var (name, value) in from)
        {
            to[name] = value;
        }
    }
}
