namespace CompatAI.Gateway.Configuration;

/// <summary>
/// What one gateway instance accepts at once and how long it waits for clients; bound from
/// <c>CompatAI:Gateway:Limits</c> and checked when the gateway starts. Every limit answers in OpenAI's error shape.
/// </summary>
public sealed class GatewayLimitsOptions
{
    /// <summary>
    /// Gets or sets how many <c>/v1</c> requests are served at once (ASP.NET Core's concurrency rate limiter). Default: 64.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>
    /// Gets or sets how many <c>/v1</c> requests may wait for a free slot before further ones are refused with <c>429</c>
    /// and <c>Retry-After</c>. A waiting request has not had its body read. Default: 64.
    /// </summary>
    public int MaxQueuedRequests { get; set; } = 64;

    /// <summary>Gets or sets the <c>Retry-After</c> sent with a <c>429</c> when the gateway is full. Default: 1 second.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the overall deadline for receiving a request body; a client that has not sent all of it by then gets
    /// <c>408</c>. Default: 30 seconds.
    /// </summary>
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the slowest request body upload accepted, in bytes per second, after a 5-second grace period
    /// (Kestrel's <c>MinRequestBodyDataRate</c>); 0 turns the check off. Default: 240.
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>
    /// Gets or sets the most request-body bytes the gateway holds at once, across all requests. A request reserves its
    /// body's size (its <c>Content-Length</c>; a chunked body 1 MiB, then the whole <c>MaxRequestBodyBytes</c> once it
    /// grows past that) before reading it and keeps it until its response is complete; requests that do not fit wait,
    /// within <see cref="RequestBodyTimeout"/>, and then get <c>429</c> with <c>Retry-After</c>. Each buffered byte costs
    /// about four in memory (the bytes, the UTF-16 message text, the upstream request), so this bounds the gateway's
    /// memory under large requests. It must be at least <c>CompatAI:Gateway:MaxRequestBodyBytes</c>. Default: 32 MiB.
    /// </summary>
    public long MaxBufferedRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Gets or sets the most open client connections (Kestrel's <c>MaxConcurrentConnections</c>). Default: 1024.</summary>
    public long MaxConnections { get; set; } = 1024;

    /// <summary>Gets or sets the largest total size of a request's headers, in bytes (Kestrel's limit). Default: 32 KiB.</summary>
    public int MaxRequestHeadersTotalBytes { get; set; } = 32 * 1024;

    /// <summary>Gets or sets the most headers a request may have (Kestrel's limit). Default: 100.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Gets or sets how long a client may take to send a request's headers (Kestrel's limit). Default: 30 seconds.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the limits; the message names the configuration key at fault.</summary>
    /// <exception cref="InvalidOperationException">A limit is out of range.</exception>
    public void Validate()
    {
        static void Require(bool ok, string key, object value, string rule)
        {
            if (!ok)
            {
                throw new InvalidOperationException($"CompatAI:Gateway:Limits:{key} is {value}; it {rule}.");
            }
        }

        Require(MaxConcurrentRequests >= 1, nameof(MaxConcurrentRequests), MaxConcurrentRequests, "must be at least 1");
        Require(MaxQueuedRequests >= 0, nameof(MaxQueuedRequests), MaxQueuedRequests, "must not be negative");
        Require(RetryAfter > TimeSpan.Zero, nameof(RetryAfter), RetryAfter, "must be positive");
        Require(RequestBodyTimeout > TimeSpan.Zero, nameof(RequestBodyTimeout), RequestBodyTimeout, "must be positive");
        Require(MinRequestBodyBytesPerSecond >= 0, nameof(MinRequestBodyBytesPerSecond), MinRequestBodyBytesPerSecond, "must not be negative");
        Require(MaxConnections >= 1, nameof(MaxConnections), MaxConnections, "must be at least 1");
        Require(MaxRequestHeadersTotalBytes >= 1024, nameof(MaxRequestHeadersTotalBytes), MaxRequestHeadersTotalBytes, "must be at least 1024");
        Require(MaxRequestHeaderCount >= 1, nameof(MaxRequestHeaderCount), MaxRequestHeaderCount, "must be at least 1");
        Require(RequestHeadersTimeout > TimeSpan.Zero, nameof(RequestHeadersTimeout), RequestHeadersTimeout, "must be positive");
    }
}
