using System.Diagnostics.Metrics;

namespace CompatAI.Gateway.Management;

/// <summary>
/// A <see cref="MeterListener"/> that folds this host's <see cref="GatewayMetrics"/> measurements into the in-process
/// aggregates (<see cref="ProviderStatsStore"/>, <see cref="UsageLedger"/>, <see cref="ObservedProviderHealth"/>), and
/// collects the library fallback chain's per-attempt telemetry (<c>compatai.fallback.attempts</c> on the <c>CompatAI</c>
/// meter) for the request being observed on the current async flow, so that several gateways in one process stay apart.
/// </summary>
internal sealed class GatewayMetricsAggregator : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly GatewayMetrics _metrics;
    private readonly GatewayObservation _observation;
    private readonly ProviderStatsStore _stats;
    private readonly UsageLedger _ledger;
    private readonly ObservedProviderHealth? _health;

    public GatewayMetricsAggregator(GatewayMetrics metrics, GatewayObservation observation, ProviderStatsStore stats, UsageLedger ledger, ObservedProviderHealth? health)
    {
        _metrics = metrics;
        _observation = observation;
        _stats = stats;
        _ledger = ledger;
        _health = health;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _metrics.Meter)
                || (instrument.Meter.Name == CompatTelemetry.MeterName && instrument.Name == CompatTelemetry.FallbackAttemptsMetric))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (!ReferenceEquals(instrument.Meter, _metrics.Meter))
        {
            if (GatewayObservation.CurrentScope is { } scope && ReferenceEquals(scope.Owner, _observation))
            {
                var t = Read(tags, CompatTelemetry.ProviderAttribute, CompatTelemetry.OutcomeAttribute);
                lock (scope.Attempts)
                {
                    scope.Attempts.Add((t.A ?? "?", t.B ?? "?"));
                }
            }

            return;
        }

        var (provider, model, client, outcome, type) = ReadGateway(tags);
        switch (instrument.Name)
        {
            case GatewayMetrics.AttemptsMetric:
                _stats.RecordAttempt(provider, model, outcome);
                _health?.OnAttempt(provider, outcome);
                if (outcome == GatewayMetrics.Success)
                {
                    _ledger.AddRequest(provider, model, client);
                }

                break;
            case GatewayMetrics.TokensMetric:
                _stats.RecordTokens(provider, model, type, value);
                _ledger.AddTokens(provider, model, client, type, value);
                break;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (!ReferenceEquals(instrument.Meter, _metrics.Meter))
        {
            return;
        }

        var (provider, model, client, outcome, _) = ReadGateway(tags);
        switch (instrument.Name)
        {
            case GatewayMetrics.DurationMetric:
                _stats.RecordDuration(provider, model, value, outcome == GatewayMetrics.Success);
                break;
            case GatewayMetrics.TimeToFirstTokenMetric:
                _stats.RecordTimeToFirstToken(provider, model, value);
                break;
            case GatewayMetrics.CostMetric:
                var currency = Read(tags, GatewayMetrics.CurrencyTag, GatewayMetrics.CurrencyTag).A ?? "USD";
                _ledger.AddCost(provider, model, client, currency, value);
                break;
        }
    }

    private static (string Provider, string Model, string Client, string Outcome, string Type) ReadGateway(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string provider = "?", model = GatewayObservation.DefaultModel, client = GatewayObservation.AnonymousClient, outcome = "", type = "";
        foreach (var tag in tags)
        {
            var text = tag.Value as string;
            switch (tag.Key)
            {
                case GatewayMetrics.ProviderTag: provider = text ?? provider; break;
                case GatewayMetrics.ModelTag: model = text ?? model; break;
                case GatewayMetrics.ClientTag: client = text ?? client; break;
                case GatewayMetrics.OutcomeTag: outcome = text ?? outcome; break;
                case GatewayMetrics.TokenTypeTag: type = text ?? type; break;
            }
        }

        return (provider, model, client, outcome, type);
    }

    private static (string? A, string? B) Read(ReadOnlySpan<KeyValuePair<string, object?>> tags, string a, string b)
    {
        string? first = null, second = null;
        foreach (var tag in tags)
        {
            if (tag.Key == a)
            {
                first = tag.Value as string;
            }
            else if (tag.Key == b)
            {
                second = tag.Value as string;
            }
        }

        return (first, second);
    }
}
