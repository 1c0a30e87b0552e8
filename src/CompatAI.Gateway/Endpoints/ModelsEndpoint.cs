using System.Text.Json;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Logging;
using CompatAI.Gateway.Routing;
using CompatAI.Gateway.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Endpoints;

/// <summary><c>GET /v1/models</c>: every routable model as <c>&lt;provider&gt;/&lt;model&gt;</c>, in OpenAI's list shape.</summary>
internal sealed class ModelsEndpoint
{
    private readonly GatewayRuntime _runtime;
    private readonly ModelDirectory _directory;
    private readonly ILogger<ModelsEndpoint> _logger;

    private readonly HealthCheckService? _health;

    public ModelsEndpoint(GatewayRuntime runtime, ModelDirectory directory, ILogger<ModelsEndpoint> logger, IServiceProvider services)
    {
        _runtime = runtime;
        // Registered by AddCompatGateway() only with CompatAI:Redis: the gateway's own checks are tagged 'compatai'.
        _health = services.GetService(typeof(CompatAI.CompatRedisConnection)) is null ? null : services.GetService(typeof(HealthCheckService)) as HealthCheckService;
        _directory = directory;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext http)
    {
        if (!GatewayHttp.TryAuthorize(http, _runtime, out var credential, out var error))
        {
            Log.Unauthorized(_logger, http.TraceIdentifier);
            await GatewayHttp.WriteErrorAsync(http, error!).ConfigureAwait(false);
            return;
        }

        var headers = _runtime.HeaderFilter.Select(http.Request.Headers, passCredential: !_runtime.RequiresKey);
        var list = await _directory.ListAsync(p => new GatewayRequestContext(p, null, headers, credential, http.TraceIdentifier), http.RequestAborted).ConfigureAwait(false);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(list, GatewayJson.Context.ModelListDto);
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /healthz</c>: always <c>200</c> while the gateway serves. <c>status</c> is <c>ok</c>, or <c>degraded</c> with a
    /// <c>reason</c> when shared state (Redis) is unreachable and this replica serves with its own state.
    /// </summary>
    public async Task HealthAsync(HttpContext http)
    {
        string status = "ok";
        string? reason = null;
        string? shared = null;
        if (_health is not null)
        {
            var report = await _health.CheckHealthAsync(r => r.Tags.Contains("compatai"), http.RequestAborted).ConfigureAwait(false);
            shared = "redis";
            if (report.Status != HealthStatus.Healthy)
            {
                status = "degraded";
                reason = string.Join(" ", report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}"));
            }
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(
            new HealthDto { Status = status, Providers = [.. _runtime.Router.Providers.Keys.Order(StringComparer.Ordinal)], Reason = reason, SharedState = shared },
            GatewayJson.Context.HealthDto);
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }
}
