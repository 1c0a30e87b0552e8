namespace CompatAI.Gateway.Management;

/// <summary>
/// Where the management API and dashboard read a provider's health from. The default is what the gateway itself observes
/// (its fallback chain's circuit breakers and recent error rate); register your own implementation (for example over the
/// library's provider health checks and probes) before <c>AddCompatGatewayManagement()</c> to replace it.
/// </summary>
public interface IProviderHealthSource
{
    /// <summary>Returns the health of a provider.</summary>
    /// <param name="provider">The provider's gateway prefix, for example <c>groq</c>.</param>
    /// <returns>The snapshot.</returns>
    ProviderHealthSnapshot GetHealth(string provider);
}
