using System.Diagnostics;
using System.Text.Json;
using CompatAI.Gateway.Adapters;
using CompatAI.Gateway.Errors;
using CompatAI.Gateway.Headers;
using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Logging;
using CompatAI.Gateway.Providers;
using CompatAI.Gateway.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Endpoints;

/// <summary>
/// What <c>/v1/embeddings</c>, <c>/v1/completions</c> and <c>/v1/moderations</c> share with <c>/v1/chat/completions</c>:
/// the gateway key, the JSON content type, the bounded body read, routing by <c>&lt;provider&gt;/&lt;model&gt;</c>, the check
/// that the provider's profile serves the endpoint (before any upstream call) and errors in OpenAI's shape.
/// </summary>
internal sealed class ProviderApiRequests
{
    private readonly GatewayRuntime _runtime;
    private readonly ILogger<ProviderApiRequests> _logger;
    private readonly Management.GatewayObservation? _observation;

    /// <param name="runtime">The gateway's runtime.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="observation">The management layer's measurements (<c>AddCompatGatewayManagement()</c>), or <see langword="null"/> without it.</param>
    public ProviderApiRequests(GatewayRuntime runtime, ILogger<ProviderApiRequests> logger, Management.GatewayObservation? observation = null)
    {
        _runtime = runtime;
        _logger = logger;
        _observation = observation;
    }

    public ILogger Logger => _logger;

    /// <summary>Runs <paramref name="handler"/>, answering a gateway bug in OpenAI's shape rather than with an empty 500.</summary>
    public Task GuardAsync(HttpContext http, Func<HttpContext, Task> handler) => GatewayRequestIntake.GuardAsync(http, _logger, handler);

    /// <summary>
    /// Authorizes, reads, parses and routes the request; <see langword="null"/> when it was answered with an error.
    /// The returned call owns the parsed body and the body's reservation in the gateway's budget.
    /// </summary>
    public async Task<ProviderApiCall?> BeginAsync(HttpContext http, ProviderApiKind kind)
    {
        var start = Stopwatch.GetTimestamp();
        var requestId = http.TraceIdentifier;
        if (await GatewayRequestIntake.ReadAsync(http, _runtime, _logger).ConfigureAwait(false) is not { } intake)
        {
            return null;
        }

        var (body, credential) = intake;

        JsonDocument document;
        try
        {
            // ParseValue copies what it keeps, so the body's bytes can go back to the pool right away.
            var reader = new Utf8JsonReader(body.Bytes.Span);
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                throw new JsonException("There is more after the JSON value.");
            }
        }
        catch (JsonException ex)
        {
            body.Dispose();
            await RejectAsync(http, new GatewayError(400, "invalid_request_error", $"The request body is not valid JSON: {ex.Message}", null, "invalid_json")).ConfigureAwait(false);
            return null;
        }
        finally
        {
            body.ReleaseBytes();
        }

        var error = Route(document.RootElement, kind, out var providerName, out var modelId, out var clients);
        if (error is not null)
        {
            document.Dispose();
            body.Dispose();
            await RejectAsync(http, error).ConfigureAwait(false);
            return null;
        }

        var headers = _runtime.HeaderFilter.Select(http.Request.Headers, passCredential: !_runtime.RequiresKey);
        GatewayRequestContext.Current = new GatewayRequestContext(providerName!, modelId, headers, credential, requestId);
        return new ProviderApiCall(document, body, providerName!, modelId, clients!, credential, requestId, start) { Kind = kind };
    }

    /// <summary>Answers a failure that happened before any output was written.</summary>
    public Task FailAsync(HttpContext http, ProviderApiCall call, Exception ex)
    {
        if (ex is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            Log.ClientGone(_logger, call.RequestId, call.ProviderName);
            return Task.CompletedTask;
        }

        Failed(call, ex);
        return GatewayHttp.WriteErrorAsync(http, MapFailure(call, ex));
    }

    /// <summary>
    /// Counts a served call in the management figures (per provider and model, with the endpoint as a tag), as the chat
    /// path's observation does; nothing without <c>AddCompatGatewayManagement()</c>.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="upstreamModel">The model the provider answered with, for when the request named none.</param>
    /// <param name="usage">The usage, if the provider reported it.</param>
    /// <param name="upstreamStart">When the call to the provider started (a <see cref="Stopwatch"/> timestamp).</param>
    /// <param name="firstAt">When a stream's first piece arrived, or <see langword="null"/>.</param>
    public void Served(ProviderApiCall call, string? upstreamModel, Microsoft.Extensions.AI.UsageDetails? usage, long upstreamStart, long? firstAt = null)
    {
        if (_observation is not { } observation)
        {
            return;
        }

        var seconds = Management.GatewayObservation.Seconds(upstreamStart, Stopwatch.GetTimestamp());
        double? ttft = firstAt is { } first ? Management.GatewayObservation.Seconds(upstreamStart, first) : null;
        observation.Served(call.ProviderName, ModelOf(call, upstreamModel), observation.ClientKeyId(), seconds, ttft, usage, null, Path(call.Kind));
    }

    /// <summary>Counts a provider's failure in the management figures; the gateway's own refusals (a bad model name) are not the provider's.</summary>
    /// <param name="call">The call.</param>
    /// <param name="ex">The failure.</param>
    public void Failed(ProviderApiCall call, Exception ex)
    {
        if (_observation is not { } observation || ex is ArgumentException or RequestValidationException)
        {
            return;
        }

        observation.Failed(call.ProviderName, ModelOf(call, null), observation.ClientKeyId(), Management.GatewayObservation.OutcomeOf(ex),
            Management.GatewayObservation.Seconds(call.Start, Stopwatch.GetTimestamp()), Path(call.Kind));
    }

    private static string ModelOf(ProviderApiCall call, string? upstreamModel) =>
        call.ModelId is { Length: > 0 } requested ? requested : upstreamModel is { Length: > 0 } answered ? answered : Management.GatewayObservation.DefaultModel;

    /// <summary>Maps a failure of the library's client to OpenAI's error shape, naming the provider; never echoes the key.</summary>
    public GatewayError MapFailure(ProviderApiCall call, Exception ex)
    {
        switch (ex)
        {
            case ProviderException provider:
                Log.ProviderFailed(_logger, call.RequestId, call.ProviderName, provider.Kind, provider.StatusCode);
                return ProviderErrorMapper.Map(provider) with { Provider = call.ProviderName };
            case RequestValidationException validation:
                return validation.Error;
            case ArgumentException argument:
                // The library's clients name what is missing (a default model, an endpoint) when they are built.
                return GatewayError.Invalid("model",
                    $"{Redact(argument.Message, call.Credential)} Through the gateway, name the model in the request: '{call.ProviderName}/<model>'.", "invalid_model") with { Provider = call.ProviderName };
            default:
                Log.AdapterCrashed(_logger, call.RequestId, call.ProviderName, ex.GetType().FullName ?? ex.GetType().Name, Redact(ex.Message, call.Credential));
                return ProviderErrorMapper.Unexpected() with { Provider = call.ProviderName };
        }
    }

    /// <summary>Writes a 200 JSON answer with the gateway's headers.</summary>
    public async Task WriteJsonAsync(HttpContext http, ProviderApiCall call, byte[] bytes, long upstreamStart, long upstreamEnd)
    {
        var response = http.Response;
        response.Headers[GatewayHttp.ProviderHeader] = call.ProviderName;
        GatewayHttp.SetOverhead(response, (upstreamStart - call.Start) + (Stopwatch.GetTimestamp() - upstreamEnd));
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        try
        {
            await response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            Log.ClientGone(_logger, call.RequestId, call.ProviderName);
        }
    }

    public Task RejectAsync(HttpContext http, GatewayError error) => GatewayRequestIntake.RejectAsync(http, _logger, error);

    private GatewayError? Route(JsonElement root, ProviderApiKind kind, out string? providerName, out string? modelId, out ProviderApiClients? clients)
    {
        providerName = null;
        modelId = null;
        clients = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new GatewayError(400, "invalid_request_error", "The request body must be a JSON object.", null, "invalid_body");
        }

        if (!root.TryGetProperty("model", out var modelElement) || modelElement.ValueKind != JsonValueKind.String || modelElement.GetString() is not { Length: > 0 } model)
        {
            return GatewayError.Invalid("model", "'model' is required: a string such as '<provider>/<model>' naming a provider listed by GET /v1/models.");
        }

        if (!_runtime.Router.TryResolve(model, out var route, out var routeError))
        {
            return routeError;
        }

        var path = Path(kind);
        if (!_runtime.ApiClients.TryGetValue(route.ProviderName, out clients))
        {
            return Unsupported(route.ProviderName,
                $"'{GatewayText.Echo(route.ProviderName)}' does not serve POST /v1/{path} through this gateway: only providers configured under CompatAI:Providers do; fallback chains, providers added in code and the built-in echo provider serve chat only.");
        }

        var served = kind switch
        {
            ProviderApiKind.Embeddings => clients.Profile.Embeddings is not null,
            ProviderApiKind.Completions => clients.Profile.Completions is not null,
            _ => clients.Profile.Moderation is not null,
        };
        if (!served)
        {
            var profileName = clients.Profile.Name;
            clients = null;
            return Unsupported(route.ProviderName,
                $"Provider '{route.ProviderName}' (catalog provider '{profileName}') has no /{path} endpoint according to its profile, so POST /v1/{path} cannot be served for it. If it does serve one, add a '{ProfileKey(kind)}' entry to its profile (CompatAI:Profiles).");
        }

        providerName = route.ProviderName;
        modelId = route.ModelId;
        return null;
    }

    private static GatewayError Unsupported(string provider, string message) =>
        new GatewayError(400, "invalid_request_error", message, "model", "unsupported_endpoint") { Provider = provider };

    internal static string Path(ProviderApiKind kind) => kind switch
    {
        ProviderApiKind.Embeddings => "embeddings",
        ProviderApiKind.Completions => "completions",
        _ => "moderations",
    };

    private static string ProfileKey(ProviderApiKind kind) => kind switch
    {
        ProviderApiKind.Embeddings => "embeddings",
        ProviderApiKind.Completions => "completions",
        _ => "moderation",
    };

    internal static string Redact(string message, string? credential) => GatewayRequestIntake.Redact(message, credential);
}
