using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CompatAI;

/// <summary>
/// A <c>Microsoft.Extensions.Diagnostics.HealthChecks</c> check of one candidate of a <see cref="RouterChatClient"/>, read
/// from <see cref="RouterChatClient.GetHealth"/> (no call is made): an open circuit or a failed active probe is the registration's failure status,
/// a half-open circuit, a Retry-After cooldown or a recent error rate of one half or more is degraded, anything else healthy.
/// The data carries the breaker state, error rate, latency and the last active probe's outcome (see <see cref="ProviderProber"/>).
/// </summary>
public sealed class ProviderHealthCheck : IHealthCheck
{
    private readonly Func<RouterChatClient> _router;
    private readonly string _candidate;

    /// <summary>Creates the check.</summary>
    /// <param name="router">Returns the router (resolved lazily, so the check can be registered before the client exists).</param>
    /// <param name="candidate">The candidate's name.</param>
    public ProviderHealthCheck(Func<RouterChatClient> router, string candidate)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentException.ThrowIfNullOrWhiteSpace(candidate);
        _router = router;
        _candidate = candidate;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var router = _router();
        var health = router.GetHealth().FirstOrDefault(h => string.Equals(h.Name, _candidate, StringComparison.OrdinalIgnoreCase));
        if (health is null)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"The router has no candidate '{_candidate}' (candidates: {string.Join(", ", router.GetHealth().Select(h => h.Name))})."));
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["breaker"] = health.Breaker.ToString(),
            ["observations"] = health.Observations,
        };
        if (health.ErrorRate is { } rate)
        {
            data["errorRate"] = rate;
        }

        if (health.Latency is { } latency)
        {
            data["latencyMs"] = latency.TotalMilliseconds;
        }

        if (health.LastProbeSucceeded is { } probed)
        {
            data["probeSucceeded"] = probed;
            data["probedAt"] = health.LastProbeAt!.Value.ToString("O", CultureInfo.InvariantCulture);
            if (health.LastProbeError is { } probeError)
            {
                data["probeError"] = probeError;
            }
        }

        if (health.CoolingDownUntil is { } until)
        {
            data["coolingDownUntil"] = until.ToString("O", CultureInfo.InvariantCulture);
        }

        string description = $"{health.Name} ({health.Provider}/{health.Model}): {health.Status}";
        var result = health.Status switch
        {
            ProviderHealthStatus.Unhealthy => new HealthCheckResult(context.Registration.FailureStatus, description, data: data),
            ProviderHealthStatus.Degraded => HealthCheckResult.Degraded(description, data: data),
            _ => HealthCheckResult.Healthy(description, data),
        };
        return Task.FromResult(result);
    }
}
