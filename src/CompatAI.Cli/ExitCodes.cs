namespace CompatAI.Cli;

/// <summary>Process exit codes of <c>compatai</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Everything passed.</summary>
    public const int Success = 0;

    /// <summary>A check or the request failed.</summary>
    public const int Failure = 1;

    /// <summary>Doctor: nothing failed, but some checks warned.</summary>
    public const int Warnings = 2;

    /// <summary>The command line or the configuration is unusable.</summary>
    public const int Usage = 64;
}
