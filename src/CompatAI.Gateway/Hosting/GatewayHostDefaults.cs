using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace CompatAI.Gateway.Hosting;

/// <summary>How the standalone gateway picks its listen address.</summary>
public static class GatewayHostDefaults
{
    /// <summary>The port used when nothing else is configured.</summary>
    public const int DefaultPort = 8080;

    /// <summary>The bind address used when nothing else is configured (loopback only: safe by default).</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>
    /// Uses <c>--urls</c> / <c>ASPNETCORE_URLS</c> / the <c>urls</c> setting when given; otherwise listens on
    /// <c>http://HOST:PORT</c> from configuration or the environment (default <c>127.0.0.1:8080</c>).
    /// </summary>
    /// <param name="builder">The application builder.</param>
    public static void ApplyListenAddress(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (!string.IsNullOrWhiteSpace(configuration["urls"]) || !string.IsNullOrWhiteSpace(configuration["http_ports"]))
        {
            return;
        }

        var host = configuration["HOST"];
        var portText = configuration["PORT"];
        var port = DefaultPort;
        if (!string.IsNullOrWhiteSpace(portText) && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 0 or > 65535))
        {
            throw new InvalidOperationException($"PORT is '{portText}', which is not a port number (0-65535).");
        }

        host = string.IsNullOrWhiteSpace(host) ? DefaultHost : host.Trim();
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = "[" + host + "]";
        }

        builder.WebHost.UseUrls($"http://{host}:{port}");
    }
}
