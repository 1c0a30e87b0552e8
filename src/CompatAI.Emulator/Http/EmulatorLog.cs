using Microsoft.Extensions.Logging;

namespace CompatAI.Emulator;

/// <summary>Source-generated log messages of the emulator (never logs headers or bodies).</summary>
internal static partial class EmulatorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Provider emulator listening on {BaseUrl}")]
    public static partial void Listening(ILogger logger, Uri baseUrl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Method} {Path} -> {StatusCode}")]
    public static partial void Handled(ILogger logger, string method, string path, int statusCode);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Injecting fault {Fault} into {Method} {Path}")]
    public static partial void InjectingFault(ILogger logger, EmulatorFault fault, string method, string path);
}
