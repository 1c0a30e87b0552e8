namespace CompatAI.Gateway.Adapters;

/// <summary>
/// What a provider may know about the inbound HTTP request: the allow-listed headers and the client's credential.
/// Hop-by-hop headers and <c>Host</c> are never included.
/// </summary>
public sealed class GatewayRequestContext
{
    private static readonly AsyncLocal<GatewayRequestContext?> s_current = new();

    /// <summary>Creates a context.</summary>
    /// <param name="providerName">The gateway prefix the request was routed by, for example <c>groq</c>.</param>
    /// <param name="modelId">The upstream model id (the part after the prefix), or <see langword="null"/> when listing models.</param>
    /// <param name="headers">The forwarded inbound headers, keyed case-insensitively.</param>
    /// <param name="credential">The client's own credential, when the gateway passes it through.</param>
    /// <param name="requestId">The gateway's id for the request.</param>
    public GatewayRequestContext(
        string providerName,
        string? modelId,
        IReadOnlyDictionary<string, string> headers,
        string? credential,
        string requestId)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerName);
        ArgumentNullException.ThrowIfNull(headers);
        ProviderName = providerName;
        ModelId = modelId;
        Headers = headers;
        Credential = credential;
        RequestId = requestId ?? string.Empty;
    }

    /// <summary>
    /// Gets the context of the chat request being served on the current async flow (an <see cref="AsyncLocal{T}"/> set by
    /// the chat endpoint), for code deep in a pipeline such as an <see cref="HttpClient"/> handler. This is the gateway's
    /// only ambient request state: the gateway's upstream <see cref="HttpClient"/> reads it to forward the allow-listed
    /// headers; everything else (credential, model, cancellation) is passed explicitly. See the gateway README,
    /// "How request state reaches the provider".
    /// </summary>
    public static GatewayRequestContext? Current
    {
        get => s_current.Value;
        internal set => s_current.Value = value;
    }

    /// <summary>Gets the gateway prefix the request was routed by, for example <c>groq</c>.</summary>
    public string ProviderName { get; }

    /// <summary>Gets the upstream model id (the part of <c>model</c> after the prefix); <see langword="null"/> when listing models.</summary>
    public string? ModelId { get; }

    /// <summary>Gets the inbound headers that the gateway forwards (names lower-case): <c>authorization</c> and <c>x-api-key</c> when the client's auth is passed through, plus the configured allow-list.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Gets the client's credential (the bearer token or <c>x-api-key</c>) when the gateway passes it through; <see langword="null"/> when gateway keys are in use or the client sent none.</summary>
    public string? Credential { get; }

    /// <summary>Gets the gateway's id for the request.</summary>
    public string RequestId { get; }

    /// <summary>Gets or sets the provider that actually served the request (differs from <see cref="ProviderName"/> for fallback chains).</summary>
    public string? ServedBy { get; set; }

    /// <summary>Gets or sets why a router chose the provider that served (the <c>x-compat-route</c> header's value), when a router served.</summary>
    internal string? RouteReason { get; set; }

    /// <summary>Gets or sets the short id of the client's key (never the key), for key-scoped budgets.</summary>
    internal string? KeyId { get; set; }

    /// <summary>Gets or sets the tenant named by <c>CompatAI:Gateway:TenantHeader</c>, for tenant-scoped budgets.</summary>
    internal string? Tenant { get; set; }

    /// <summary>Gets or sets whether the response cache answered (<see langword="true"/>), missed (<see langword="false"/>) or was not asked.</summary>
    internal bool? CacheHit { get; set; }

    /// <summary>Returns a context for another provider and model with the same headers and credential.</summary>
    /// <param name="providerName">The other provider's prefix.</param>
    /// <param name="modelId">The other upstream model id.</param>
    /// <returns>The new context.</returns>
    public GatewayRequestContext For(string providerName, string? modelId) =>
        new(providerName, modelId, Headers, Credential, RequestId);
}
