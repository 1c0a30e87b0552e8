namespace CompatAI.Emulator;

/// <summary>What an <see cref="EmulatorFault"/> does to the request it applies to.</summary>
public enum EmulatorFaultKind
{
    /// <summary>Answer with <see cref="EmulatorFault.StatusCode"/> and the personality's real error body for that status.</summary>
    Status,

    /// <summary>Abort the connection before any response byte is sent.</summary>
    ConnectionReset,

    /// <summary>Never answer (until the client gives up); with a positive <see cref="EmulatorFault.Delay"/>, abort the connection after that delay.</summary>
    Hang,

    /// <summary>Wait <see cref="EmulatorFault.Delay"/> before sending the response headers, then answer normally.</summary>
    SlowFirstByte,

    /// <summary>Stream <see cref="EmulatorFault.AfterChunks"/> data events, then end the response without <c>data: [DONE]</c>.</summary>
    StreamCutWithoutDone,

    /// <summary>Stream <see cref="EmulatorFault.AfterChunks"/> data events, then send the personality's in-stream error event.</summary>
    ErrorMidStream,
}
