using CompatAI.Gateway.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CompatAI.Gateway.Hosting;

/// <summary>Applies <see cref="GatewayLimitsOptions"/> and the body size limit to Kestrel, after Kestrel's own configuration.</summary>
internal sealed class GatewayKestrelLimitsSetup(IOptions<GatewayOptions> gateway) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        var settings = gateway.Value;
        var limits = settings.Limits;
        limits.Validate(); // Kestrel reads these before the gateway's own startup checks run
        options.Limits.MaxConcurrentConnections = limits.MaxConnections;
        options.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalBytes;
        options.Limits.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        options.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        // The gateway answers oversized bodies itself (an OpenAI-shaped 413); Kestrel's own limit only has to allow them
        // (a body over Kestrel's limit makes it drop the connection instead of draining it, losing that answer).
        if (options.Limits.MaxRequestBodySize is { } kestrelLimit && kestrelLimit < settings.MaxRequestBodyBytes)
        {
            options.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
        }
        options.Limits.MinRequestBodyDataRate = limits.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
            : null;
    }
}
