namespace CompatAI.Gateway.Configuration;

/// <summary>How the gateway behaves; bound from the <c>CompatAI:Gateway</c> configuration section.</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section this class is bound from.</summary>
    public const string SectionName = "CompatAI:Gateway";

    /// <summary>Gets or sets the gateway keys. When any is set, every <c>/v1</c> request must carry one (as <c>Authorization: Bearer</c> or <c>x-api-key</c>) and the client's credential is no longer passed through.</summary>
    public IList<string> Keys { get; set; } = [];

    /// <summary>Gets or sets the inbound headers (besides <c>authorization</c> and <c>x-api-key</c>) handed to adapters, for example <c>x-tenant-id</c>. Hop-by-hop headers and <c>Host</c> are never forwarded.</summary>
    public IList<string> ForwardHeaders { get; set; } = [];

    /// <summary>Gets model aliases: a requested model name mapped to <c>&lt;provider&gt;/&lt;model&gt;</c>.</summary>
    public IDictionary<string, string> Aliases { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets named fallback chains served as models: a chain name mapped to <c>&lt;provider&gt;/&lt;model&gt;</c> names of any
    /// provider, including ones added in code. For a chain of configured providers that behaves as in
    /// <c>AddCompatChatClient()</c>, use <c>CompatAI:Fallback</c> (served as the model <c>fallback</c>).
    /// </summary>
    public IDictionary<string, IList<string>> Chains { get; set; } = new Dictionary<string, IList<string>>(StringComparer.Ordinal);

    /// <summary>Gets or sets the provider used when the requested model has no known prefix; the whole name is then the upstream model id.</summary>
    public string? DefaultProvider { get; set; }

    /// <summary>Gets or sets whether the built-in <c>echo</c> provider is served. Default: <see langword="true"/>.</summary>
    public bool EnableEcho { get; set; } = true;

    /// <summary>Gets or sets the largest accepted request body in bytes; larger bodies get <c>413</c>. Default: 16 MiB (room for inline images).</summary>
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Gets or sets how long model lists fetched from providers are cached. Default: 5 minutes.</summary>
    public TimeSpan ModelListCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long the gateway waits for one provider's model list. Default: 5 seconds.</summary>
    public TimeSpan ModelListTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the largest number of per-credential clients kept for each pass-through provider. Default: 256.</summary>
    public int MaxClientsPerProvider { get; set; } = 256;

    /// <summary>
    /// Gets or sets whether the W3C trace context of the gateway's request activity (<c>traceparent</c>,
    /// <c>tracestate</c>, <c>baggage</c>) is sent to providers. Off by default, so that trace ids of your system do not
    /// reach third parties; turn it on when the upstream is your own traced service. Listing the headers in
    /// <see cref="ForwardHeaders"/> instead copies the client's values as they are. Default: <see langword="false"/>.
    /// </summary>
    public bool PropagateTraceContext { get; set; }

    /// <summary>Gets the gateway's limits (<c>CompatAI:Gateway:Limits</c>): concurrency, body deadline, connections, headers.</summary>
    public GatewayLimitsOptions Limits { get; set; } = new();

    /// <summary>Gets the response cache settings (<c>CompatAI:Gateway:ResponseCache</c>). Off by default.</summary>
    public GatewayResponseCacheOptions ResponseCache { get; set; } = new();

    /// <summary>
    /// Gets the budgets enforced on chat requests to providers configured under <c>CompatAI:Providers</c> and the
    /// <c>fallback</c> chain (<c>CompatAI:Gateway:Budgets:&lt;n&gt;</c>, the library's <see cref="Budget"/>): a request
    /// that would exceed one is answered <c>429</c> with the error type <c>budget_exceeded</c>. The <see cref="BudgetScope.Key"/>
    /// subject is the client key's short id (<c>key-</c> and 12 hex digits of its SHA-256), never the key.
    /// </summary>
    public IList<Budget> Budgets { get; set; } = [];

    /// <summary>
    /// Gets or sets the inbound header naming the tenant of a request, for <see cref="BudgetScope.Tenant"/> budgets
    /// (for example <c>x-tenant-id</c>). Required when a tenant budget is configured; the gateway trusts its value, so
    /// set it only behind something that sets the header itself.
    /// </summary>
    public string? TenantHeader { get; set; }
}
