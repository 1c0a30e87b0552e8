using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Management;

/// <summary>
/// The management API's access rule: with an admin key configured, <c>Authorization: Bearer &lt;admin key&gt;</c> from any
/// address (compared in constant time, by hash); without one, loopback requests only. Client traffic keys never open it.
/// </summary>
internal sealed class AdminGate : IEndpointFilter
{
    private readonly byte[]? _keyHash;
    private readonly ILogger<AdminGate> _logger;

    public AdminGate(GatewayManagementOptions options, ILogger<AdminGate> logger)
    {
        _keyHash = string.IsNullOrEmpty(options.AdminKey) ? null : Hash(options.AdminKey);
        _logger = logger;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (_keyHash is not null)
        {
            var header = http.Request.Headers.Authorization.ToString();
            var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
            if (presented.Length == 0 || !CryptographicOperations.FixedTimeEquals(Hash(presented), _keyHash))
            {
                ManagementLog.AdminKeyRejected(_logger, http.TraceIdentifier, http.Request.Path);
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"compatai-management\"";
                return Error(401, "The management API needs 'Authorization: Bearer <admin key>' (CompatAI:Gateway:Management:AdminKey); the key sent is missing or wrong.", "invalid_admin_key");
            }
        }
        else if (!IsLoopback(http.Connection.RemoteIpAddress))
        {
            ManagementLog.NotLoopback(_logger, http.TraceIdentifier, http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return Error(403, "The management API answers only loopback requests while no admin key is configured; set CompatAI:Gateway:Management:AdminKey to open it to other addresses.", "loopback_only");
        }

        return await next(context).ConfigureAwait(false);
    }

    internal static bool IsLoopback(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return IPAddress.IsLoopback(address);
    }

    private static IResult Error(int status, string message, string code) =>
        Results.Json(new ManagementErrorDto(new ManagementErrorBody(message, status == 401 ? "authentication_error" : "permission_error", code)), ManagementJsonContext.Default.ManagementErrorDto, statusCode: status);

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
