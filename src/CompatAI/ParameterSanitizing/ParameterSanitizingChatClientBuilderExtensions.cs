using CompatAI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Adds a <see cref="ParameterSanitizingChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class ParameterSanitizingChatClientBuilderExtensions
{
    /// <summary>Adds the parameter sanitizer; the provider's rules come from the profile the inner client reports (CompatAI's own client does).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseParameterSanitizer(this ChatClientBuilder builder, Action<ParameterSanitizingOptions>? configure = null) =>
        Use(builder, profile: null, configure);

    /// <summary>Adds the parameter sanitizer for a catalog provider, around any inner client (for example <c>AsIChatClient()</c>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The catalog name or alias of the provider, for example <c>mistral</c>.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not in the catalog.</exception>
    public static ChatClientBuilder UseParameterSanitizer(this ChatClientBuilder builder, string provider, Action<ParameterSanitizingOptions>? configure = null) =>
        Use(builder, ProviderCatalog.Default.Get(provider), configure);

    /// <summary>Adds the parameter sanitizer for a provider profile, around any inner client.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="profile">The provider's profile.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseParameterSanitizer(this ChatClientBuilder builder, ProviderProfile profile, Action<ParameterSanitizingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Use(builder, profile, configure);
    }

    private static ChatClientBuilder Use(ChatClientBuilder builder, ProviderProfile? profile, Action<ParameterSanitizingOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ParameterSanitizingOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => new ParameterSanitizingChatClient(
            inner, profile, options, services.GetService<ILoggerFactory>()?.CreateLogger<ParameterSanitizingChatClient>()));
    }
}
