using System.Collections.Concurrent;
using CompatAI;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>Finds the provider profile behind a client (via <c>GetService(typeof(ProviderProfile))</c>) and caches its per-model quirks.</summary>
internal sealed class QuirkResolver
{
    /// <summary>The quirks returned when the inner client has no profile (compare by reference).</summary>
    public static readonly ProviderQuirks None = new();
    private readonly IChatClient _inner;
    private readonly ProviderProfile? _explicitProfile;
    private readonly ConcurrentDictionary<string, ProviderQuirks> _byModel = new(StringComparer.Ordinal);
    private ProviderProfile? _profile;
    private bool _profileResolved;
    private string? _defaultModel;

    public QuirkResolver(IChatClient inner, ProviderProfile? explicitProfile)
    {
        _inner = inner;
        _explicitProfile = explicitProfile;
    }

    /// <summary>Gets the profile, or <see langword="null"/> when the inner client has none.</summary>
    public ProviderProfile? Profile
    {
        get
        {
            if (!_profileResolved)
            {
                _profile = _explicitProfile ?? _inner.GetService(typeof(ProviderProfile)) as ProviderProfile;
                _defaultModel = (_inner.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId;
                _profileResolved = true;
            }

            return _profile;
        }
    }

    /// <summary>Gets the provider name for messages and telemetry.</summary>
    public string ProviderName => Profile?.Name ?? "unknown";

    /// <summary>Returns the model the request will use: the options' model, else the client's default.</summary>
    public string? ModelFor(ChatOptions? options)
    {
        _ = Profile;
        return options?.ModelId ?? _defaultModel;
    }

    /// <summary>Returns the quirks in force for the request's model; empty quirks when there is no profile.</summary>
    public ProviderQuirks QuirksFor(ChatOptions? options)
    {
        var profile = Profile;
        if (profile is null)
        {
            return None;
        }

        string key = ModelFor(options) ?? string.Empty;
        return _byModel.GetOrAdd(key, static (model, p) => p.GetQuirks(model.Length == 0 ? null : model), profile);
    }
}
