using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Management;

/// <summary>The management API's log messages. None carries a key or a header value.</summary>
internal static partial class ManagementLog
{
    [LoggerMessage(101, LogLevel.Warning, "Management request {RequestId} to {Path} refused: missing or wrong admin key.")]
    public static partial void AdminKeyRejected(ILogger logger, string requestId, string path);

    [LoggerMessage(102, LogLevel.Warning, "Management request {RequestId} to {Path} from {Address} refused: without CompatAI:Gateway:Management:AdminKey only loopback requests are answered.")]
    public static partial void NotLoopback(ILogger logger, string requestId, string path, string address);
}
