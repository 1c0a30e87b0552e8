using System.Text.Json;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Logging;
using CompatAI.Gateway.Routing;
using CompatAI.Gateway.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Endpoints;

/// <summary><c>GET /v1/models</c>: every routable model as <c>&lt;provider&gt;/&lt;model&gt;</c>, in OpenAI's list shape.</summary>
internal sealed class ModelsEndpoint
{
    private readonly GatewayRuntime _runtime;
    private readonly ModelDirectory _directory;
    private readonly ILogger<ModelsEndpoint> _logger;

    public ModelsEndpoint(GatewayRuntime runtime, ModelDirectory directory, ILogger<ModelsEndpoint> logger)
    {
        _runtime = runtime;
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

    public Task HealthAsync(HttpContext http)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(
            new HealthDto { Status = "ok", Providers = [.. _runtime.Router.Providers.Keys.Order(StringComparer.Ordinal)] },
            GatewayJson.Context.HealthDto);
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = bytes.Length;
        return http.Response.Body.WriteAsync(bytes, http.RequestAborted).AsTask();
    }
}
