using Microsoft.Extensions.Configuration;

namespace CompatAI;

/// <summary>
/// Options properties that hold service objects (a <see cref="TimeProvider"/>, a store, a logger factory) are set in code,
/// never from configuration: the options binders bind a settings-only type and refuse those keys with an error naming them.
/// </summary>
internal static class ServiceKeys
{
    /// <summary>Throws when <paramref name="section"/> names one of <paramref name="services"/>.</summary>
    /// <exception cref="InvalidOperationException">A service property is set in configuration; the message names its key.</exception>
    public static void Reject(IConfiguration section, params ReadOnlySpan<string> services)
    {
        foreach (var service in services)
        {
            var key = section.GetSection(service);
            if (key.Exists())
            {
                throw new InvalidOperationException($"Configuration '{key.Path}' cannot be set: {service} is a service object, set in code or registered as a service.");
            }
        }
    }
}
