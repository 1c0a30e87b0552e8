using CompatAI.Builder;

namespace CompatAI.Middleware.ReasoningExtraction;

/// <summary>Adds <see cref="ReasoningExtractingChatClient"/> to a <see cref="CompatChatClientBuilder"/>.</summary>
public static class ReasoningExtractionBuilderExtensions
{
    /// <summary>Adds the reasoning extractor to the pipeline.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets options; <see langword="null"/> for the profile's defaults.</param>
    /// <returns>The builder.</returns>
    public static CompatChatClientBuilder UseReasoningExtraction(this CompatChatClientBuilder builder, Action<ReasoningExtractionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ReasoningExtractionOptions();
        configure?.Invoke(options);
        return builder.Use(inner => new ReasoningExtractingChatClient(inner, options));
    }
}
