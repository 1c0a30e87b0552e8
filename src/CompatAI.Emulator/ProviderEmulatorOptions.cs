namespace CompatAI.Emulator;

/// <summary>Options for <see cref="ProviderEmulator.StartAsync(ProviderEmulatorOptions?, CancellationToken)"/>.</summary>
public sealed class ProviderEmulatorOptions
{
    /// <summary>TCP port to listen on; 0 (the default) picks a free ephemeral port.</summary>
    public int Port { get; set; }

    /// <summary>Address to bind; defaults to the IPv4 loopback address <c>127.0.0.1</c>.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// When set, every personality request must carry this key as <c>Authorization: Bearer &lt;key&gt;</c>
    /// (or in an <c>x-api-key</c> / <c>api-key</c> header); otherwise the personality's real 401 body is returned.
    /// The key is never echoed in error bodies.
    /// </summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>
    /// When set together with <see cref="RequiredApiKey"/>, the key counts only in this header: <c>Authorization</c>
    /// (as <c>Bearer &lt;key&gt;</c>), <c>x-api-key</c> or <c>api-key</c>; the key in any other header gets the 401. Emulates a
    /// service that accepts one auth style only. Null (the default) accepts all three.
    /// </summary>
    public string? RequiredApiKeyHeader { get; set; }

    /// <summary>
    /// When true, routes must start with <c>/{personality}/v1/</c> (as on real services); by default <c>/v1</c> may be
    /// left out. Emulates the 404 a base URL without <c>/v1</c> gets.
    /// </summary>
    public bool RequireVersionPrefix { get; set; }

    /// <summary>Delay between two SSE events of a streamed answer; zero (the default) streams as fast as possible.</summary>
    public TimeSpan StreamChunkDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Gets the personalities that reject <c>stream: true</c> with a 400 naming the <c>stream</c> parameter, as some
    /// OpenAI-compatible servers do (case-insensitive names).
    /// </summary>
    public ISet<string> StreamingRejectedBy { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets the personalities that ignore <c>stream: true</c> and answer with a whole JSON completion instead of an event
    /// stream, as some OpenAI-compatible servers do (case-insensitive names).
    /// </summary>
    public ISet<string> StreamingIgnoredBy { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets the personalities that serve only the Responses API: <c>/v1/chat/completions</c> answers 404 and
    /// <c>/v1/responses</c> answers (case-insensitive names).
    /// </summary>
    public ISet<string> ResponsesOnly { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
}
