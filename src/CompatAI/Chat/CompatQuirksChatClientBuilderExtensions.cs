using CompatAI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Adds a provider's whole quirk set (sanitizer, system merge where needed, reasoning extraction) to a <see cref="ChatClientBuilder"/>.</summary>
/// <remarks>
/// The quirk set belongs closest to the client that talks to the provider: add it after the application's own middleware
/// (<c>UseFunctionInvocation</c>, <c>UseOpenTelemetry</c>, caching), so that every round trip of a tool loop is sanitized
/// and has its reasoning replayed.
/// </remarks>
public static class CompatQuirksChatClientBuilderExtensions
{
    /// <summary>Adds the quirk middleware of a catalog provider around any inner client, for example <c>AsIChatClient()</c> over an OpenAI SDK client.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The catalog name or alias of the provider, for example <c>mistral</c>.</param>
    /// <param name="configure">Configures each middleware's options.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not in the catalog.</exception>
    public static ChatClientBuilder UseCompatQuirks(this ChatClientBuilder builder, string provider, Action<CompatQuirksOptions>? configure = null) =>
        builder.UseCompatQuirks(ProviderCatalog.Default.Get(provider), configure);

    /// <summary>Adds the quirk middleware of a provider profile around any inner client.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="profile">The provider's profile.</param>
    /// <param name="configure">Configures each middleware's options.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseCompatQuirks(this ChatClientBuilder builder, ProviderProfile profile, Action<CompatQuirksOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(profile);
        var options = new CompatQuirksOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => CompatQuirksPipeline.Wrap(inner, profile, options, services.GetService<ILoggerFactory>()));
    }
}
