using CompatAI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds a <see cref="ReasoningExtractingChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class ReasoningExtractingChatClientBuilderExtensions
{
    /// <summary>Adds reasoning extraction; defaults come from the profile the inner client reports (CompatAI's own client does).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseReasoningExtraction(this ChatClientBuilder builder, Action<ReasoningExtractionOptions>? configure = null) =>
        Use(builder, profile: null, configure);

    /// <summary>Adds reasoning extraction for a catalog provider, around any inner client (for example <c>AsIChatClient()</c>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The catalog name or alias of the provider, for example <c>deepseek</c>.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not in the catalog.</exception>
    public static ChatClientBuilder UseReasoningExtraction(this ChatClientBuilder builder, string provider, Action<ReasoningExtractionOptions>? configure = null) =>
        Use(builder, ProviderCatalog.Default.Get(provider), configure);

    /// <summary>Adds reasoning extraction for a provider profile, around any inner client.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="profile">The provider's profile.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseReasoningExtraction(this ChatClientBuilder builder, ProviderProfile profile, Action<ReasoningExtractionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Use(builder, profile, configure);
    }

    private static ChatClientBuilder Use(ChatClientBuilder builder, ProviderProfile? profile, Action<ReasoningExtractionOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ReasoningExtractionOptions();
        configure?.Invoke(options);
        return builder.Use(inner => new ReasoningExtractingChatClient(inner, profile, options));
    }
}
