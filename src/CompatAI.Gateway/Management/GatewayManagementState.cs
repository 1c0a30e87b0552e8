using CompatAI.Gateway.Configuration;
using CompatAI.Gateway.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CompatAI.Gateway.Management;

/// <summary>Everything the management API reads, built once: the instruments, the listener and the bounded aggregates.</summary>
internal sealed class GatewayManagementState : IDisposable
{
    public GatewayManagementState(
        IOptions<GatewayManagementOptions> options,
        IOptions<GatewayOptions> gatewayOptions,
        GatewayConfigurationSource configuration,
        System.Diagnostics.Metrics.IMeterFactory meterFactory,
        IHttpContextAccessor http,
        TimeProvider time,
        Cluster.FigureDeltas? deltas = null)
    {
        Options = options.Value;
        Options.Validate(gatewayOptions.Value.Keys);
        var compat = new CompatAIConfiguration();
        compat.Bind(configuration.Configuration.GetSection(CompatAIConfiguration.SectionName));
        var fallback = compat.FallbackOptions;
        Metrics = new GatewayMetrics(meterFactory);
        // With replicas sharing state, every change is also noted as a delta to send to Redis.
        Stats = new ProviderStatsStore(time, Options.MaxSeries, deltas);
        Ledger = new UsageLedger(time, Options.MaxLedgerRows, deltas);
        Decisions = new RecentLog<RoutingDecision>(Options.DecisionHistory);
        Health = new ObservedProviderHealth(Stats, time, fallback.CircuitBreaker.Enabled ? fallback.CircuitBreaker.BreakDuration : null);
        Observation = new GatewayObservation(Metrics, Decisions, http, time) { Health = Health };
        Aggregator = new GatewayMetricsAggregator(Metrics, Observation, Stats, Ledger, Health);
        Time = time;
    }

    public GatewayManagementOptions Options { get; }

    public GatewayMetrics Metrics { get; }

    public ProviderStatsStore Stats { get; }

    public UsageLedger Ledger { get; }

    public RecentLog<RoutingDecision> Decisions { get; }

    public ObservedProviderHealth Health { get; }

    public GatewayObservation Observation { get; }

    public GatewayMetricsAggregator Aggregator { get; }

    public TimeProvider Time { get; }

    public void Dispose()
    {
        Aggregator.Dispose();
        Metrics.Dispose();
    }
}
