using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CompatAI;

/// <summary>
/// Runs the active probes of the router <c>AddCompatRouterChatClient</c> registers, for as long as the host runs: at
/// start, when a candidate of <c>CompatAI:Routing:Candidates</c> has a <c>Probe</c>, it builds the router (so a bad
/// configuration stops the start) and starts its <see cref="ProviderProber"/>; at stop it disposes the prober. Without
/// a configured probe it does nothing and builds nothing.
/// </summary>
internal sealed class ProviderProbeHostedService(IServiceProvider services, IConfiguration configuration, ConfiguredRouterProbes probes) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var routing = CompatRoutingConfiguration.Read(configuration);
        int first = routing.Candidates.FindIndex(static c => c.Probe != ProviderProbeKind.None);
        if (first < 0)
        {
            return Task.CompletedTask;
        }

        if (probes.Lifetime != ServiceLifetime.Singleton)
        {
            throw new InvalidOperationException(ConfiguredRouterProbes.NotSingleton(first, probes.Lifetime));
        }

        // Building the client builds the router and its prober (see AddCompatRouterChatClient).
        _ = services.GetRequiredService<IChatClient>();
        var prober = probes.Prober
            ?? throw new InvalidOperationException($"Configuration '{CompatRoutingConfiguration.SectionName}:Candidates:{first}:Probe' asks for active probes, but the registered IChatClient was not built by AddCompatRouterChatClient (another registration replaced it).");
        prober.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (probes.Prober is { } prober)
        {
            await prober.DisposeAsync().ConfigureAwait(false);
        }
    }
}
