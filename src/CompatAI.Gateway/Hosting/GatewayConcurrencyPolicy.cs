using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using CompatAI.Gateway.Configuration;
using CompatAI.Gateway.Endpoints;
using CompatAI.Gateway.Errors;
using CompatAI.Gateway.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CompatAI.Gateway.Hosting;

/// <summary>
/// The ASP.NET Core rate-limiting policy on the gateway's <c>/v1</c> endpoints: one concurrency limiter for the whole
/// gateway (<see cref="GatewayLimitsOptions.MaxConcurrentRequests"/>, with a queue), and an OpenAI-shaped <c>429</c>
/// with <c>Retry-After</c> when it is full.
/// </summary>
internal sealed class GatewayConcurrencyPolicy : IRateLimiterPolicy<string>
{
    /// <summary>The policy name the endpoints require.</summary>
    public const string Name = "CompatAI.Gateway.Concurrency";

    private readonly GatewayLimitsOptions _limits;

    /// <summary>The one partition, built once: asking for it allocates nothing per request.</summary>
    private readonly RateLimitPartition<string> _partition;

    public GatewayConcurrencyPolicy(IOptions<GatewayOptions> options)
    {
        _limits = options.Value.Limits;
        var limiterOptions = new ConcurrencyLimiterOptions
        {
            PermitLimit = _limits.MaxConcurrentRequests,
            QueueLimit = _limits.MaxQueuedRequests,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        };
        _partition = RateLimitPartition.GetConcurrencyLimiter("gateway", _ => limiterOptions);
        OnRejected = RejectAsync;
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; }

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) => _partition;

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        var seconds = Math.Max(1, (long)Math.Ceiling(_limits.RetryAfter.TotalSeconds));
        var error = new GatewayError(429, "rate_limit_error",
            $"The gateway is serving its limit of {_limits.MaxConcurrentRequests} requests at once (CompatAI:Gateway:Limits:MaxConcurrentRequests) and its queue is full; retry after {seconds} s.",
            null, "gateway_busy");
        response.StatusCode = 429;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(GatewayHttp.ToBody(error), GatewayJson.Context.ErrorBodyDto);
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }
}
