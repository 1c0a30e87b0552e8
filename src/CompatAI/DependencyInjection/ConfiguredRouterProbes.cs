namespace CompatAI;

using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The <see cref="ProviderProber"/> of the router <c>AddCompatRouterChatClient</c> builds from configuration, handed from
/// the client's factory to <see cref="ProviderProbeHostedService"/>.
/// </summary>
internal sealed class ConfiguredRouterProbes(ServiceLifetime lifetime)
{
    private ProviderProber? _prober;

    /// <summary>Gets the lifetime the router is registered with.</summary>
    public ServiceLifetime Lifetime { get; } = lifetime;

    /// <summary>Gets the prober, once the router was built with at least one probe.</summary>
    public ProviderProber? Prober => Volatile.Read(ref _prober);

    public void Attach(ProviderProber prober) => Volatile.Write(ref _prober, prober);

    public static string NotSingleton(int candidate, ServiceLifetime lifetime) =>
        $"Configuration '{CompatRoutingConfiguration.SectionName}:Candidates:{candidate}:Probe' asks for active probes, but the router is registered as {lifetime}: probes watch one router for the whole application, so register it with ServiceLifetime.Singleton (the default) or set Probe to None.";
}
