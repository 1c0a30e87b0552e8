namespace CompatAI;

/// <summary>
/// What <see cref="SseNormalizingStream"/> saw in one streamed response, for the adapter reading the SDK's updates: so
/// far only whether any chunk may carry <c>reasoning_content</c>. When none does, the adapter skips the SDK's
/// JSON-path lookup on every update, which costs microseconds and an allocation each. The stream scans every chunk
/// before the SDK can parse it, so the flag is always up to date for the update being read.
/// </summary>
/// <remarks>
/// The SDK's convenience methods give no per-request hook between caller and pipeline policy, so the adapter hands
/// the instance down through <see cref="Current"/>, an async-local set inside its own iterator (the value never flows
/// back out to the caller).
/// </remarks>
internal sealed class StreamObservations
{
    private static readonly AsyncLocal<StreamObservations?> s_current = new();

    /// <summary>Gets or sets the observations for the streaming request being started on this async flow.</summary>
    public static StreamObservations? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>Gets or sets whether a chunk seen so far may carry <c>reasoning_content</c>.</summary>
    public bool MayCarryReasoning { get; set; }
}
