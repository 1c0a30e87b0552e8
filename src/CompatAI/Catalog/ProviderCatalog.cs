using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompatAI;

/// <summary>
/// The set of known provider profiles, looked up by name or alias (case-insensitive). <see cref="Default"/> is the
/// built-in catalog; <see cref="With(ProviderProfile)"/> returns a copy with a profile added or replaced.
/// </summary>
public sealed class ProviderCatalog
{
    private static readonly Lazy<ProviderCatalog> s_default = new(LoadEmbedded);
    private readonly FrozenDictionary<string, ProviderProfile> _byName;
    private readonly FrozenDictionary<string, ProviderProfile> _byNameOrAlias;

    /// <summary>Creates a catalog from profiles. Later profiles replace earlier ones with the same name.</summary>
    /// <param name="profiles">The profiles.</param>
    /// <exception cref="ArgumentException">An alias is claimed by two providers, or a profile has no name.</exception>
    public ProviderCatalog(IEnumerable<ProviderProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var byName = new Dictionary<string, ProviderProfile>(StringComparer.OrdinalIgnoreCase);
        foreach (var profile in profiles)
        {
            if (string.IsNullOrWhiteSpace(profile.Name))
            {
                throw new ArgumentException("A provider profile has no name.", nameof(profiles));
            }

            byName[profile.Name] = profile;
        }

        var byNameOrAlias = new Dictionary<string, ProviderProfile>(byName, StringComparer.OrdinalIgnoreCase);
        foreach (var profile in byName.Values)
        {
            foreach (var alias in profile.Aliases)
            {
                if (byNameOrAlias.TryGetValue(alias, out var other) && !ReferenceEquals(other, profile))
                {
                    throw new ArgumentException($"The alias '{alias}' of provider '{profile.Name}' is already the name or an alias of provider '{other.Name}'.", nameof(profiles));
                }

                byNameOrAlias[alias] = profile;
            }
        }

        _byName = byName.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _byNameOrAlias = byNameOrAlias.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets the built-in catalog.</summary>
    public static ProviderCatalog Default => s_default.Value;

    /// <summary>Gets every profile, ordered by name.</summary>
    public IReadOnlyList<ProviderProfile> Profiles => [.. _byName.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];

    /// <summary>Looks a provider up by name or alias.</summary>
    /// <param name="nameOrAlias">The name or alias, case-insensitive.</param>
    /// <param name="profile">The profile, when found.</param>
    /// <returns><see langword="true"/> when the provider is known.</returns>
    public bool TryGet(string nameOrAlias, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProviderProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(nameOrAlias);
        return _byNameOrAlias.TryGetValue(nameOrAlias.Trim(), out profile);
    }

    /// <summary>Gets a provider by name or alias.</summary>
    /// <param name="nameOrAlias">The name or alias, case-insensitive.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentException">No provider has that name or alias; the message lists the known names.</exception>
    public ProviderProfile Get(string nameOrAlias)
    {
        if (TryGet(nameOrAlias, out var profile))
        {
            return profile;
        }

        throw new ArgumentException(
            $"Unknown provider '{nameOrAlias}'. Known providers: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}. Use 'custom' with an Endpoint for any other OpenAI-compatible URL.",
            nameof(nameOrAlias));
    }

    /// <summary>Returns a copy of this catalog with <paramref name="profile"/> added, or replacing the profile of the same name.</summary>
    /// <param name="profile">The profile to add.</param>
    /// <returns>The new catalog.</returns>
    public ProviderCatalog With(ProviderProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return new ProviderCatalog(_byName.Values.Append(profile));
    }

    /// <summary>
    /// Returns a copy of this catalog with profiles overridden or added from configuration: each child section of
    /// <paramref name="providers"/> is named after a provider; for a known provider only the keys present change
    /// (for example <c>Catalog:groq:Quirks:MaxChoices</c>), an unknown name adds a new profile. Keys are the property
    /// names, case-insensitive; a list named in configuration (<c>Quirks:UnsupportedParameters:0</c>, <c>ModelRules:0:...</c>)
    /// replaces the profile's list, a dictionary (<c>Headers:X-Team</c>) merges key by key, enums take their member names.
    /// Reads configuration without reflection, so it works in trimmed and Native AOT applications.
    /// </summary>
    /// <param name="providers">A section whose children are provider names, such as <c>CompatAI:Catalog</c>.</param>
    /// <returns>The new catalog; this one is not changed.</returns>
    /// <exception cref="InvalidOperationException">A value cannot be converted; the message names the configuration key.</exception>
    public ProviderCatalog WithOverrides(Microsoft.Extensions.Configuration.IConfiguration providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var profiles = new Dictionary<string, ProviderProfile>(_byName, StringComparer.OrdinalIgnoreCase);
        foreach (var section in providers.GetChildren())
        {
            // Start from a JSON copy of the profile (the shared profile is never touched), lay the section over it with
            // the catalog's own JSON contract and read it back: no reflection, so this works trimmed and under Native
            // AOT, and init-only properties are set (the configuration binding generator cannot set them).
            var node = TryGet(section.Key, out var existing)
                ? JsonSerializer.SerializeToNode(existing, ProviderCatalogJsonContext.Default.ProviderProfile)!.AsObject()
                : new System.Text.Json.Nodes.JsonObject { ["name"] = section.Key.ToLowerInvariant() };
            ProviderProfile profile;
            try
            {
                ConfigurationJsonReader.Merge(node, section, ProviderCatalogJsonContext.Default.ProviderProfile);
                profile = node.Deserialize(ProviderCatalogJsonContext.Default.ProviderProfile)!;
            }
            catch (Exception ex) when (ex is InvalidOperationException or JsonException)
            {
                throw new InvalidOperationException($"Configuration '{section.Path}' cannot override provider '{section.Key}': {ex.Message}", ex);
            }

            profiles.Remove(profile.Name);
            profiles[profile.Name] = profile;
        }

        return new ProviderCatalog(profiles.Values);
    }

    /// <summary>Reads quirks from a configuration section whose keys are <see cref="ProviderQuirks"/> properties, with the rules of <see cref="WithOverrides"/>.</summary>
    /// <exception cref="InvalidOperationException">A key is unknown or a value cannot be converted; the message names the key.</exception>
    internal static ProviderQuirks ReadQuirks(Microsoft.Extensions.Configuration.IConfigurationSection section)
    {
        var node = new System.Text.Json.Nodes.JsonObject();
        try
        {
            ConfigurationJsonReader.Merge(node, section, ProviderCatalogJsonContext.Default.ProviderQuirks);
            return node.Deserialize(ProviderCatalogJsonContext.Default.ProviderQuirks)!;
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Configuration '{section.Path}' is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Reads profiles from catalog JSON (the format of the embedded <c>providers.json</c>).</summary>
    /// <param name="utf8Json">The JSON document: <c>{ "providers": [ ... ] }</c>.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="FormatException">The document is not a valid catalog; the message names the problem.</exception>
    /// <remarks>
    /// A top-level <c>modelRules</c> array holds rules for every provider (model families that behave the same wherever
    /// they are served, such as DeepSeek-R1 distills): they are applied before each provider's own rules, so a
    /// provider's rule for the same models wins.
    /// </remarks>
    public static ProviderCatalog FromJson(ReadOnlySpan<byte> utf8Json)
    {
        CatalogDocument? document;
        try
        {
            var root = System.Text.Json.Nodes.JsonNode.Parse(utf8Json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (root is System.Text.Json.Nodes.JsonObject rootObject
                && rootObject["modelRules"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } common
                && rootObject["providers"] is System.Text.Json.Nodes.JsonArray providerNodes)
            {
                foreach (var provider in providerNodes.OfType<System.Text.Json.Nodes.JsonObject>())
                {
                    var own = provider["modelRules"] as System.Text.Json.Nodes.JsonArray;
                    provider["modelRules"] = new System.Text.Json.Nodes.JsonArray([.. common.Select(r => r?.DeepClone()), .. own?.Select(r => r?.DeepClone()) ?? []]);
                }
            }

            document = root.Deserialize(ProviderCatalogJsonContext.Default.CatalogDocument);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The provider catalog is not valid: {ex.Message}", ex);
        }

        if (document?.Providers is not { Count: > 0 } providers)
        {
            throw new FormatException("The provider catalog has no 'providers' array.");
        }

        return new ProviderCatalog(providers);
    }

    private static ProviderCatalog LoadEmbedded()
    {
        using var stream = typeof(ProviderCatalog).Assembly.GetManifestResourceStream("CompatAI.providers.json")
            ?? throw new InvalidOperationException("The embedded provider catalog is missing from the CompatAI assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return FromJson(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    internal sealed class CatalogDocument
    {
        public List<ProviderProfile>? Providers { get; set; }

        /// <summary>Rules for every provider, already copied into each provider's own list by <see cref="FromJson"/>.</summary>
        public List<ModelRule>? ModelRules { get; set; }
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ProviderCatalog.CatalogDocument))]
[JsonSerializable(typeof(ProviderProfile))]
[JsonSerializable(typeof(ProviderQuirks))]
internal sealed partial class ProviderCatalogJsonContext : JsonSerializerContext;
