using System.ClientModel.Primitives;
using System.Net;
using CompatAI;
using OpenAI;

namespace Microsoft.Extensions.AI;

/// <summary>
/// Gives any OpenAI SDK client CompatAI's wire repairs, endpoint handling, retry and auth style for a provider, so that
/// <c>new OpenAIClient(credential, options).GetChatClient(model).AsIChatClient()</c> survives what the provider puts on
/// the wire.
/// </summary>
public static class CompatWireRepairsOpenAIClientOptionsExtensions
{
    private static readonly Lazy<HttpClient> s_sharedHttpClient = new(CreateHttpClient);

    /// <summary>Configures <paramref name="options"/> for a catalog provider. See <see cref="UseCompatWireRepairs(OpenAIClientOptions, ProviderProfile)"/>.</summary>
    /// <param name="options">The SDK options; changed in place.</param>
    /// <param name="provider">The catalog name or alias of the provider, for example <c>mistral</c>.</param>
    /// <returns>The same <paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not in the catalog, or the endpoint is not an absolute http(s) URL.</exception>
    public static OpenAIClientOptions UseCompatWireRepairs(this OpenAIClientOptions options, string provider) =>
        options.UseCompatWireRepairs(ProviderCatalog.Default.Get(provider));

    /// <summary>
    /// Configures <paramref name="options"/> for a provider profile: the endpoint (the profile's URL when none is set; a
    /// trailing <c>/chat/completions</c> is accepted), the profile's static headers, its auth style (the key passed as an
    /// <c>ApiKeyCredential</c> is moved from <c>Authorization: Bearer</c> into <c>x-api-key</c>, <c>api-key</c> or a named
    /// header, or dropped for providers without auth), HTTP/1.1 where the provider needs it, a retry policy with backoff
    /// that honours Retry-After (unless one is set), and the wire repairs: unknown finish reasons, errors inside 200
    /// streams, tool-call deltas without an index, blank tool-call types, bare JSON lines, Mistral thinking parts, cut
    /// streams, all failures as <see cref="ProviderException"/>; and <c>encoding_format</c> left out of embeddings
    /// requests for providers that reject it; and requests ending in a prefix message (<c>"prefix": true</c>) sent to the
    /// profile's prefix-completion path (DeepSeek: <c>/beta/chat/completions</c>); and, for CompatAI's own chat clients,
    /// large message texts (64 Ki characters and more) written to the network in small escaped pieces instead of through
    /// the SDK's pooled serialization buffers.
    /// </summary>
    /// <param name="options">The SDK options; changed in place.</param>
    /// <param name="profile">The provider's profile.</param>
    /// <returns>The same <paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException">The profile has no URL and none is set, or the endpoint is not an absolute http(s) URL.</exception>
    public static OpenAIClientOptions UseCompatWireRepairs(this OpenAIClientOptions options, ProviderProfile profile) =>
        Apply(options, profile, retry: null, headers: null, httpClient: null);

    /// <summary>Applies the repairs with CompatAI's own transport settings.</summary>
    /// <param name="options">The SDK options; changed in place.</param>
    /// <param name="profile">The provider's profile.</param>
    /// <param name="retry">The retry settings; defaults when <see langword="null"/>.</param>
    /// <param name="headers">Headers sent besides the profile's.</param>
    /// <param name="httpClient">The HTTP client to send with; a shared one when <see langword="null"/>.</param>
    /// <param name="chatCompletions">Whether the options serve Chat Completions (all repairs) or another API of the provider (failures classified only).</param>
    internal static OpenAIClientOptions Apply(OpenAIClientOptions options, ProviderProfile profile, RetryOptions? retry, IEnumerable<KeyValuePair<string, string>>? headers, HttpClient? httpClient, bool chatCompletions = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(profile);
        options.Endpoint = NormalizeEndpoint(options.Endpoint ?? profile.BaseUrl
            ?? throw new ArgumentException($"Provider '{profile.Name}' has no default URL: set the endpoint.", nameof(options)));
        options.RetryPolicy ??= new ProviderRetryPolicy(retry ?? new RetryOptions(), TimeProvider.System);
        if (options.Transport is null || httpClient is not null)
        {
            var client = httpClient ?? s_sharedHttpClient.Value;
            options.Transport = profile.ForceHttp11 ? new Http11PipelineTransport(client) : new HttpClientPipelineTransport(client);
        }

        options.UserAgentApplicationId ??= "CompatAI";
        var allHeaders = new List<KeyValuePair<string, string>>(profile.Headers);
        if (headers is not null)
        {
            allHeaders.AddRange(headers);
        }

        if (allHeaders.Count > 0)
        {
            options.AddPolicy(new StaticHeadersPolicy(allHeaders), PipelinePosition.PerCall);
        }

        options.AddPolicy(new ProviderAuthStylePolicy(profile), PipelinePosition.BeforeTransport);
        options.AddPolicy(new WireNormalizingPolicy(profile, chatCompletions), PipelinePosition.BeforeTransport);
        options.AddPolicy(new EmbeddingsWirePolicy(profile), PipelinePosition.BeforeTransport);
        if (chatCompletions)
        {
            // Last before the transport: puts large message texts back that the client took out of the request so the SDK
            // would not serialize them into the shared array pool (see LargeTextScope).
            options.AddPolicy(LargeTextContentPolicy.Instance, PipelinePosition.BeforeTransport);
        }
        if (chatCompletions && profile.PrefixCompletion is { Path: not PrefixCompletionProfile.DefaultPath } prefix)
        {
            options.AddPolicy(new PrefixCompletionPathPolicy(prefix.Path), PipelinePosition.PerCall);
        }

        return options;
    }

    /// <summary>Accepts a base URL with or without a trailing <c>/chat/completions</c> or slash.</summary>
    internal static Uri NormalizeEndpoint(Uri endpoint)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The endpoint '{endpoint}' must be an absolute http or https URL.", nameof(endpoint));
        }

        var builder = new UriBuilder(endpoint);
        var path = builder.Path.TrimEnd('/');
        if (path.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^"/chat/completions".Length];
        }

        builder.Path = path.Length == 0 ? "/" : path;
        return builder.Uri;
    }

    private static HttpClient CreateHttpClient() =>
        // The pipeline enforces per-attempt timeouts; HttpClient's own 100 s limit would cut long streams.
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.All })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
