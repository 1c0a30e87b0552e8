using System.ClientModel;
using OpenAI.Models;

namespace CompatAI;

/// <summary>
/// Model discovery for one provider: <see cref="ListModelsAsync"/> reads the provider's <c>GET /models</c> through the
/// OpenAI SDK's <see cref="OpenAIModelClient"/> (with the same endpoint, key, auth style, headers and wire repairs as the
/// chat client), falls back to what the catalog knows when that fails, and caches the answer.
/// <see cref="GetCapabilities"/> reads a model's capabilities from the profile, <see cref="EnsureServedAsync"/> fails
/// with close matches for a model the provider does not serve.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The SemaphoreSlim is only awaited; it needs disposing only when its AvailableWaitHandle is used, which it never is.")]
public sealed class CompatModelClient
{
    private readonly ProviderConnection _connection;
    private readonly OpenAIModelClient _client;
    private readonly CompatModelClientOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (ModelList List, DateTimeOffset Until)? _cached;

    /// <summary>Creates the client.</summary>
    /// <param name="options">The provider, endpoint, key and transport (the same settings as the chat client's), and the cache duration.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names what is missing.</exception>
    public CompatModelClient(CompatModelClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _connection = ProviderConnection.Open(nameof(CompatModelClientOptions), options.Provider!, options.Catalog, options.Endpoint, options.ApiKey, options.Headers, options.Timeout, options.Retry, options.HttpClient);
        _client = new OpenAIModelClient(_connection.Authentication, _connection.ClientOptions);
    }

    /// <summary>Gets the provider's profile.</summary>
    public ProviderProfile Profile => _connection.Profile;

    /// <summary>Returns the provider's models: its <c>GET /models</c>, or, when that fails, the catalog's known models. Cached for <see cref="CompatModelClientOptions.CacheDuration"/>.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The list and where it comes from.</returns>
    public async Task<ModelList> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var now = _options.TimeProvider.GetUtcNow();
        if (_cached is { } hit && now < hit.Until)
        {
            return hit.List;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } again && now < again.Until)
            {
                return again.List;
            }

            ModelList list;
            try
            {
                var result = await _client.GetModelsAsync(cancellationToken).ConfigureAwait(false);
                list = new ModelList(Profile.Name, [.. result.Value.Select(static m => m.Id)], ModelSource.Provider, null);
            }
            catch (Exception ex) when (ex is ClientResultException or ProviderException or HttpRequestException or IOException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                list = new ModelList(Profile.Name, KnownModels(), ModelSource.Catalog, SecretRedactor.Redact(ex.Message, _options.ApiKey));
            }

            _cached = (list, _options.TimeProvider.GetUtcNow() + _options.CacheDuration);
            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads <c>GET /models</c> once, without the cache or the fallback: a cheap active health probe (see <see cref="ProviderProber"/>).</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that fails when the provider does not answer the list.</returns>
    public async Task ProbeAsync(CancellationToken cancellationToken = default) =>
        await _client.GetModelsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Returns what the profile says <paramref name="model"/> can do.</summary>
    /// <param name="model">The model id.</param>
    /// <returns>The capabilities (unknown ones are <see langword="null"/>).</returns>
    public ModelCapabilities GetCapabilities(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return ModelCapabilities.From(Profile, model);
    }

    /// <summary>Fails when the provider does not list <paramref name="model"/> (case-insensitive).</summary>
    /// <param name="model">The model id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The model id as the provider spells it.</returns>
    /// <exception cref="ModelNotServedException">The provider does not list it; <see cref="ModelNotServedException.CloseMatches"/> has the nearest ids.</exception>
    public async Task<string> EnsureServedAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var list = await ListModelsAsync(cancellationToken).ConfigureAwait(false);
        return list.Models.FirstOrDefault(m => string.Equals(m, model, StringComparison.OrdinalIgnoreCase))
            ?? throw new ModelNotServedException(model, ModelNotServedException.Closest(model, list.Models));
    }

    private string[] KnownModels()
    {
        var prices = _options.Prices ?? PriceTable.Default;
        return [.. new[] { Profile.DefaultModel }.OfType<string>()
            .Concat(prices.Prices.Where(p => string.Equals(p.Provider, Profile.Name, StringComparison.OrdinalIgnoreCase)).Select(static p => p.Model))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
    }
}
