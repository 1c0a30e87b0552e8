using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace CompatAI;

/// <summary>
/// The transport side of a provider, shared by all of CompatAI's clients (chat, embeddings, completions, moderation): the profile, the
/// resolved endpoint and key, and OpenAI SDK options carrying the wire repairs, retry, headers and auth style.
/// </summary>
internal sealed class ProviderConnection
{
    private ProviderConnection(ProviderProfile profile, Uri endpoint, OpenAIClientOptions options, AuthenticationPolicy authentication)
    {
        Profile = profile;
        Endpoint = endpoint;
        ClientOptions = options;
        Authentication = authentication;
    }

    public ProviderProfile Profile { get; }

    /// <summary>The normalized base URL (without a trailing <c>/chat/completions</c>).</summary>
    public Uri Endpoint { get; }

    public OpenAIClientOptions ClientOptions { get; }

    public AuthenticationPolicy Authentication { get; }

    /// <summary>Resolves the provider and builds the SDK options; throws <see cref="ArgumentException"/> naming what is missing.</summary>
    /// <remarks><paramref name="optionsName"/> is the options type named in messages, for example <c>CompatEmbeddingGeneratorOptions</c>.</remarks>
    public static ProviderConnection Open(
        string optionsName,
        string provider,
        ProviderCatalog? catalog,
        Uri? endpoint,
        string? apiKey,
        IEnumerable<KeyValuePair<string, string>> headers,
        TimeSpan? timeout,
        RetryOptions retry,
        HttpClient? httpClient,
        Func<CancellationToken, ValueTask<string>>? tokenProvider = null)
    {
        if (string.IsNullOrWhiteSpace(provider))
        {
            throw new ArgumentException($"{optionsName}.Provider is required: name a catalog provider such as 'openai', 'mistral' or 'custom'.", nameof(provider));
        }

        ArgumentNullException.ThrowIfNull(retry);
        retry.Validate();
        var profile = (catalog ?? ProviderCatalog.Default).Get(provider);
        if (profile.RetiredMessage is { } retired)
        {
            throw new ArgumentException($"Provider '{profile.Name}' is retired: {retired}", nameof(provider));
        }

        var baseUrl = endpoint ?? profile.BaseUrl
            ?? throw new ArgumentException($"Provider '{profile.Name}' has no default URL: set {optionsName}.Endpoint.", nameof(endpoint));

        if (string.IsNullOrEmpty(apiKey) && profile.ApiKeyEnvironmentVariable is { } variable)
        {
            apiKey = Environment.GetEnvironmentVariable(variable);
        }

        if (tokenProvider is null && string.IsNullOrEmpty(apiKey) && profile.RequiresApiKey && profile.AuthStyle != ProviderAuthStyle.None)
        {
            throw new ArgumentException(
                $"Provider '{profile.Name}' needs an API key: set {optionsName}.ApiKey{(profile.ApiKeyEnvironmentVariable is { } env ? $" or the {env} environment variable" : string.Empty)}.",
                nameof(apiKey));
        }

        var options = CompatWireRepairsOpenAIClientOptionsExtensions.Apply(
            new OpenAIClientOptions { Endpoint = baseUrl, NetworkTimeout = timeout ?? TimeSpan.FromSeconds(100) },
            profile,
            retry,
            headers,
            httpClient);

        // With a key, the SDK's bearer policy sends it and the auth-style policy moves it where the provider wants it.
        // A token provider (Entra ID, Google access tokens) wins over a key and sends a bearer token whatever the key style.
        AuthenticationPolicy authentication = tokenProvider is not null
            ? new TokenProviderAuthenticationPolicy(tokenProvider)
            : string.IsNullOrEmpty(apiKey) || profile.AuthStyle == ProviderAuthStyle.None
            ? NoAuthenticationPolicy.Instance
            : ApiKeyAuthenticationPolicy.CreateBearerAuthorizationPolicy(new ApiKeyCredential(apiKey));
        return new ProviderConnection(profile, options.Endpoint!, options, authentication);
    }
}
