using Microsoft.Extensions.AI;
using OpenAI.Embeddings;

namespace CompatAI;

/// <summary>
/// CompatAI's embedding generator for one OpenAI-compatible provider: Microsoft.Extensions.AI.OpenAI's
/// <c>AsIEmbeddingGenerator()</c> over an OpenAI SDK <see cref="EmbeddingClient"/> configured from the provider's profile
/// (endpoint, auth style, headers, retry, HTTP/1.1 and the wire repairs), plus what that mapping does not do for
/// third-party providers.
/// </summary>
/// <remarks>
/// <para>Float-safe: the SDK always asks for <c>encoding_format: base64</c>; for a provider whose profile says it rejects
/// the parameter it is left out, and the float arrays such a provider (or one that ignores the parameter) answers decode
/// to the same floats as base64 (OpenAI SDK 2.15 reads both). Batches larger than the profile's input limit are split into several requests and re-joined in order,
/// with their usage summed. Failures are <see cref="ProviderException"/>s.</para>
/// <para><see cref="EmbeddingGeneratorMetadata"/> names the real provider, endpoint, model and default dimensions.</para>
/// </remarks>
public sealed class OpenAICompatibleEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates a generator for the provider named in <paramref name="options"/>.</summary>
    /// <param name="options">The provider, and optionally endpoint, key, model, dimensions and transport settings.</param>
    /// <exception cref="ArgumentException">The provider is unknown, retired or does not serve <c>/embeddings</c>; no endpoint or model can be determined; a required API key is missing; or a number is not positive.</exception>
    public OpenAICompatibleEmbeddingGenerator(CompatEmbeddingGeneratorOptions options)
        : this(Configure(options))
    {
    }

    private OpenAICompatibleEmbeddingGenerator(Configured configured)
        : base(configured.Generator)
    {
        Profile = configured.Profile;
        Endpoint = configured.Endpoint;
        Model = configured.Model;
        _metadata = new EmbeddingGeneratorMetadata(Profile.Name, Endpoint, Model, configured.Dimensions);
    }

    /// <summary>Gets the profile of the provider this generator talks to.</summary>
    public ProviderProfile Profile { get; }

    /// <summary>Gets the base URL requests go to (<c>/embeddings</c> is appended).</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the embedding model.</summary>
    public string Model { get; }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            if (serviceType == typeof(EmbeddingGeneratorMetadata))
            {
                return _metadata;
            }

            if (serviceType == typeof(ProviderProfile))
            {
                return Profile;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    private static Configured Configure(CompatEmbeddingGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Name = nameof(CompatEmbeddingGeneratorOptions);
        if (options.Dimensions is <= 0)
        {
            throw new ArgumentException($"{Name}.Dimensions must be positive; it is {options.Dimensions}.", nameof(options));
        }

        if (options.MaxInputsPerRequest is <= 0)
        {
            throw new ArgumentException($"{Name}.MaxInputsPerRequest must be positive; it is {options.MaxInputsPerRequest}.", nameof(options));
        }

        var profile = (options.Catalog ?? ProviderCatalog.Default).Get(string.IsNullOrWhiteSpace(options.Provider)
            ? throw new ArgumentException($"{Name}.Provider is required: name a catalog provider such as 'openai', 'mistral' or 'custom'.", nameof(options))
            : options.Provider);
        var embeddings = profile.Embeddings ?? throw new ArgumentException(
            $"Provider '{profile.Name}' does not serve /embeddings according to its profile. If it does, add an 'embeddings' entry to its profile "
            + $"(for example the configuration key CompatAI:Profiles:{profile.Name}:Embeddings:DefaultModel), or use the 'custom' provider with an Endpoint.",
            nameof(options));
        var model = options.Model ?? embeddings.DefaultModel
            ?? throw new ArgumentException($"Provider '{profile.Name}' has no default embedding model: set {Name}.Model.", nameof(options));

        var connection = ProviderConnection.Open(Name, options.Provider, options.Catalog, options.Endpoint, options.ApiKey, options.Headers, options.Timeout, options.Retry, options.HttpClient);
        var client = new EmbeddingClient(model, connection.Authentication, connection.ClientOptions);
        var dimensions = options.Dimensions ?? (options.Model is null ? embeddings.Dimensions : null);
        IEmbeddingGenerator<string, Embedding<float>> generator = client.AsIEmbeddingGenerator(options.Dimensions);
        if ((options.MaxInputsPerRequest ?? embeddings.MaxInputs) is { } maxInputs)
        {
            generator = new EmbeddingBatchingGenerator(generator, maxInputs);
        }

        return new Configured(profile, connection.Endpoint, model, dimensions, generator);
    }

    private sealed record Configured(ProviderProfile Profile, Uri Endpoint, string Model, int? Dimensions, IEmbeddingGenerator<string, Embedding<float>> Generator);
}
