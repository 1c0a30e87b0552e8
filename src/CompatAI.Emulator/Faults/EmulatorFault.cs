namespace CompatAI.Emulator;

/// <summary>A failure the emulator injects into the next request(s) of a personality.</summary>
public sealed class EmulatorFault
{
    /// <summary>The kind of failure; defaults to <see cref="EmulatorFaultKind.Status"/>.</summary>
    public EmulatorFaultKind Kind { get; set; } = EmulatorFaultKind.Status;

    /// <summary>HTTP status for <see cref="EmulatorFaultKind.Status"/> faults; 500 when not set.</summary>
    public int? StatusCode { get; set; }

    /// <summary>When set on a status fault, sent as <c>Retry-After</c> (whole seconds, rounded up) and <c>retry-after-ms</c>.</summary>
    public TimeSpan? RetryAfter { get; set; }

    /// <summary>Number of SSE data events sent before a mid-stream fault strikes.</summary>
    public int AfterChunks { get; set; }

    /// <summary>Delay for <see cref="EmulatorFaultKind.SlowFirstByte"/> and <see cref="EmulatorFaultKind.Hang"/>.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>How many consecutive requests the fault applies to; defaults to 1.</summary>
    public int Times { get; set; } = 1;

    /// <summary>Creates a status fault answering <paramref name="statusCode"/> with the personality's error body.</summary>
    /// <param name="statusCode">The HTTP status code to answer with.</param>
    /// <param name="retryAfter">Optional Retry-After value.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault WithStatus(int statusCode, TimeSpan? retryAfter = null) =>
        new() { Kind = EmulatorFaultKind.Status, StatusCode = statusCode, RetryAfter = retryAfter };

    /// <summary>Creates a fault that aborts the connection before answering.</summary>
    /// <returns>The fault.</returns>
    public static EmulatorFault Reset() => new() { Kind = EmulatorFaultKind.ConnectionReset };

    /// <summary>Creates a fault that never answers (or aborts after <paramref name="abortAfter"/>).</summary>
    /// <param name="abortAfter">Optional delay after which the connection is aborted.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault HangForever(TimeSpan? abortAfter = null) =>
        new() { Kind = EmulatorFaultKind.Hang, Delay = abortAfter ?? TimeSpan.Zero };

    /// <summary>Creates a fault that delays the response headers by <paramref name="delay"/>.</summary>
    /// <param name="delay">The delay before the first byte.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault SlowStart(TimeSpan delay) => new() { Kind = EmulatorFaultKind.SlowFirstByte, Delay = delay };

    /// <summary>Creates a fault that ends the stream after <paramref name="chunks"/> data events without <c>[DONE]</c>.</summary>
    /// <param name="chunks">Data events sent before the cut.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault CutAfter(int chunks) => new() { Kind = EmulatorFaultKind.StreamCutWithoutDone, AfterChunks = chunks };

    /// <summary>Creates a fault that sends the personality's in-stream error after <paramref name="chunks"/> data events.</summary>
    /// <param name="chunks">Data events sent before the error.</param>
    /// <returns>The fault.</returns>
    public static EmulatorFault ErrorAfter(int chunks) => new() { Kind = EmulatorFaultKind.ErrorMidStream, AfterChunks = chunks };

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        EmulatorFaultKind.Status => $"status={StatusCode ?? 500}",
        EmulatorFaultKind.ConnectionReset => "reset",
        EmulatorFaultKind.Hang => "hang",
        EmulatorFaultKind.SlowFirstByte => $"slow-first-byte={Delay.TotalMilliseconds}ms",
        EmulatorFaultKind.StreamCutWithoutDone => $"cut-after={AfterChunks}",
        _ => $"error-after={AfterChunks}",
    };
}
