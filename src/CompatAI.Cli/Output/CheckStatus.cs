namespace CompatAI.Cli;

/// <summary>The outcome of one doctor check.</summary>
internal enum CheckStatus
{
    /// <summary>The check passed.</summary>
    Pass,

    /// <summary>Works, but something deserves attention.</summary>
    Warn,

    /// <summary>The check failed; the result carries a fix.</summary>
    Fail,

    /// <summary>Not run because an earlier check failed.</summary>
    Skip,
}
