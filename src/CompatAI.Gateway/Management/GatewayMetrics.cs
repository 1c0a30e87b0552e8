using System.Diagnostics.Metrics;

namespace CompatAI.Gateway.Management;

/// <summary>
/// The gateway's own instruments, on a <see cref="Meter"/> named <see cref="MeterName"/> created through the host's
/// <see cref="IMeterFactory"/> (so OpenTelemetry can export them with <c>AddMeter("CompatAI.Gateway")</c>, and each host
/// has its own). The management API's figures are read back from these instruments by <see cref="GatewayMetricsAggregator"/>.
/// Tags carry provider prefixes, model ids, outcomes and a hashed client key id: never a key.
/// </summary>
internal sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "CompatAI.Gateway";
    public const string AttemptsMetric = "compatai.gateway.provider.attempts";
    public const string DurationMetric = "compatai.gateway.provider.duration";
    public const string TimeToFirstTokenMetric = "compatai.gateway.provider.time_to_first_token";
    public const string TokensMetric = "compatai.gateway.tokens";
    public const string CostMetric = "compatai.gateway.cost";

    public const string ProviderTag = "compatai.provider";
    public const string ModelTag = "compatai.model";
    public const string OutcomeTag = "compatai.outcome";
    public const string ClientTag = "compatai.client";
    public const string TokenTypeTag = "gen_ai.token.type";
    public const string CurrencyTag = "compatai.currency";

    /// <summary>The gateway endpoint a measurement belongs to: <c>chat</c>, <c>embeddings</c>, <c>completions</c> or <c>moderations</c>.</summary>
    public const string EndpointTag = "compatai.endpoint";

    /// <summary>The <see cref="EndpointTag"/> of <c>/v1/chat/completions</c>.</summary>
    public const string ChatEndpoint = "chat";

    /// <summary>Outcome of an attempt that was served.</summary>
    public const string Success = "success";

    /// <summary>Outcome of an attempt a fallback chain skipped because the provider's circuit breaker was open.</summary>
    public const string CircuitOpen = "circuit_open";

    private readonly Meter _meter;

    public GatewayMetrics(IMeterFactory factory)
    {
        _meter = factory.Create(MeterName);
        Attempts = _meter.CreateCounter<long>(AttemptsMetric, "{attempt}", "Calls to a provider, by provider, model and outcome (success, an error kind, or circuit_open when a fallback chain skipped it).");
        Duration = _meter.CreateHistogram<double>(DurationMetric, "s", "Time from sending a request to a provider to its last byte.");
        TimeToFirstToken = _meter.CreateHistogram<double>(TimeToFirstTokenMetric, "s", "Time from sending a streamed request to a provider to its first update.");
        Tokens = _meter.CreateCounter<long>(TokensMetric, "{token}", "Tokens reported by providers, by provider, model, client key id and token type (input, output).");
        Cost = _meter.CreateCounter<double>(CostMetric, "{currency}", "Cost reported on responses, by provider, model, client key id and currency.");
    }

    public Meter Meter => _meter;

    public Counter<long> Attempts { get; }

    public Histogram<double> Duration { get; }

    public Histogram<double> TimeToFirstToken { get; }

    public Counter<long> Tokens { get; }

    public Counter<double> Cost { get; }

    public void Dispose() => _meter.Dispose();
}
