using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompatAI;

/// <summary>
/// Applies the catalog's model lifecycles (<see cref="ProviderProfile.Models"/>) to requests: a model recorded as
/// <see cref="ModelStatus.Retired"/> fails with <see cref="ModelRetiredException"/> before anything is sent to the
/// provider's own host; a <see cref="ModelStatus.Deprecated"/> one is sent and logs a warning once per model; and a
/// provider's "model not found" answer for a model the catalog calls retired (or past its shutdown date) becomes a
/// <see cref="ModelRetiredException"/> that names the replacement.
/// </summary>
/// <remarks>
/// The pre-flight refusal applies only when the client talks to the provider's documented host (the host of its
/// <see cref="ProviderProfile.BaseUrl"/> or <see cref="ProviderProfile.EndpointTemplate"/>): a proxy, a self-hosted
/// mirror or an emulator at another URL may still serve the name, so there the request goes out and only a "not found"
/// answer is explained.
/// </remarks>
public sealed partial class ModelLifecycleChatClient : DelegatingChatClient
{
    private readonly QuirkResolver _resolver;
    private readonly ProviderProfile? _explicitProfile;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.OrdinalIgnoreCase);
    private bool? _atProviderHost;

    /// <summary>Creates the middleware.</summary>
    /// <param name="innerClient">The client requests go to.</param>
    /// <param name="profile">The provider's profile; when <see langword="null"/>, the inner client's (through <c>GetService(typeof(ProviderProfile))</c>).</param>
    /// <param name="logger">Receives the deprecation warnings; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">Tells today's date (for deprecated models past their shutdown); <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public ModelLifecycleChatClient(IChatClient innerClient, ProviderProfile? profile = null, ILogger<ModelLifecycleChatClient>? logger = null, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        _explicitProfile = profile;
        _resolver = new QuirkResolver(innerClient, profile);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ProviderProfile) && _resolver.Profile is { } profile ? profile : base.GetService(serviceType, serviceKey);

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var entry = Check(options);
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException ex) when (Explains(ex, entry))
        {
            throw new ModelRetiredException(ex.ProviderName, entry!, ex.StatusCode, ex.ErrorCode, ex) { ResponseBody = ex.ResponseBody };
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var entry = Check(options);
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    update = updates.Current;
                }
                catch (ProviderException ex) when (!ex.OutputStarted && Explains(ex, entry))
                {
                    throw new ModelRetiredException(ex.ProviderName, entry!, ex.StatusCode, ex.ErrorCode, ex) { ResponseBody = ex.ResponseBody };
                }

                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Returns the catalog entry of the request's model; throws for a retired model at the provider's own host.</summary>
    private KnownModel? Check(ChatOptions? options)
    {
        var profile = _resolver.Profile;
        if (profile is null || profile.Models.Count == 0)
        {
            return null;
        }

        var model = _resolver.ModelFor(options);
        var entry = profile.FindModel(model);
        switch (entry?.Status)
        {
            case ModelStatus.Retired when AtProviderHost(profile):
                throw new ModelRetiredException(profile.Name, entry);
            case ModelStatus.Deprecated when _warned.TryAdd(entry.Id, true):
                LogDeprecated(_logger, entry.Id, profile.Name, entry.Shutdown?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "an unannounced date", entry.Replacement ?? "none recorded");
                break;
        }

        return entry;
    }

    /// <summary>Whether a provider failure is a "model not found" for a model the catalog calls retired or past its shutdown.</summary>
    private bool Explains(ProviderException ex, KnownModel? entry)
    {
        if (entry is null || ex is ModelRetiredException)
        {
            return false;
        }

        var gone = entry.Status == ModelStatus.Retired
            || (entry.Status == ModelStatus.Deprecated && entry.Shutdown is { } date && date <= DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime));
        var notFound = ex.Kind == ProviderErrorKind.NotFound || ex.StatusCode == 410
            || ex.ErrorCode is "model_not_found" or "model_decommissioned" or "model_deprecated";
        return gone && notFound;
    }

    private bool AtProviderHost(ProviderProfile profile)
    {
        if (_atProviderHost is { } known)
        {
            return known;
        }

        var endpoint = (InnerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.ProviderUri;
        string? home = profile.BaseUrl?.Host
            ?? (profile.EndpointTemplate is { } template && Uri.TryCreate(template.Replace("{", string.Empty, StringComparison.Ordinal).Replace("}", string.Empty, StringComparison.Ordinal), UriKind.Absolute, out var filled) ? filled.Host : null);
        bool atHome = endpoint is not null && home is not null && string.Equals(endpoint.Host, home, StringComparison.OrdinalIgnoreCase);
        _atProviderHost = atHome;
        return atHome;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model '{Model}' of provider '{Provider}' is deprecated: the provider shuts it down on {Shutdown} (replacement: {Replacement}). Logged once per model.")]
    private static partial void LogDeprecated(ILogger logger, string model, string provider, string shutdown, string replacement);
}
