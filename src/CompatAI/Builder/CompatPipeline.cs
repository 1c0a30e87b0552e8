using CompatAI.Middleware.ParameterSanitizing;
using CompatAI.Middleware.ReasoningExtraction;
using CompatAI.Middleware.SystemMerging;
using CompatAI.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompatAI.Builder;

/// <summary>
/// Composes the default middleware pipeline of one provider. The order, outermost first, is:
/// <list type="number">
/// <item><see cref="ParameterSanitizingChatClient"/>: sees the caller's request first, so Strict mode fails before
/// anything else runs; maps roles, ids and parameters, and may turn a JSON schema into instructions.</item>
/// <item><see cref="SystemMergingChatClient"/>: then moves system text (including those instructions) where the provider
/// accepts it; left out for providers none of whose rules restrict the system role or demand alternating turns.</item>
/// <item><see cref="ReasoningExtractingChatClient"/>: closest to the adapter, so it replays reasoning on the final
/// assistant messages (after ids were remapped) and is the first to see each response.</item>
/// <item>The adapter.</item>
/// </list>
/// A fallback chain wraps whole per-provider pipelines (<c>FallbackChatClient</c> over several of these).
/// </summary>
internal static class CompatPipeline
{
    /// <summary>Builds the default pipeline over <paramref name="adapter"/> with default middleware options.</summary>
    /// <param name="adapter">The provider adapter; it must answer <c>GetService(typeof(ProviderProfile))</c> with <paramref name="profile"/>.</param>
    /// <param name="profile">The provider's profile.</param>
    /// <param name="modelId">The default model id, for per-model rules.</param>
    /// <returns>The outermost client.</returns>
    public static IChatClient Compose(IChatClient adapter, ProviderProfile profile, string? modelId) =>
        Compose(adapter, profile, modelId, options: null, loggerFactory: null);

    /// <summary>Builds the default pipeline with the given middleware options.</summary>
    /// <param name="adapter">The provider adapter.</param>
    /// <param name="profile">The provider's profile.</param>
    /// <param name="modelId">The default model id, for per-model rules.</param>
    /// <param name="options">The middleware options; defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Creates the sanitizer's logger; none when <see langword="null"/>.</param>
    /// <returns>The outermost client.</returns>
    public static IChatClient Compose(IChatClient adapter, ProviderProfile profile, string? modelId, CompatPipelineOptions? options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(profile);
        _ = modelId; // Rules are resolved per request from ChatOptions.ModelId or the adapter's default model.
        options ??= new CompatPipelineOptions();
        var builder = new CompatChatClientBuilder(adapter)
            .Use(inner => new ParameterSanitizingChatClient(inner, options.ParameterSanitizer, loggerFactory?.CreateLogger<ParameterSanitizingChatClient>()));
        if (options.SystemMerge is not null || NeedsSystemMerge(profile))
        {
            builder.Use(inner => new SystemMergingChatClient(inner, options.SystemMerge));
        }

        return builder
            .Use(inner => new ReasoningExtractingChatClient(inner, options.Reasoning))
            .Build();
    }

    /// <summary>Returns whether any of the profile's rules restricts the system role or demands alternating turns.</summary>
    internal static bool NeedsSystemMerge(ProviderProfile profile)
    {
        return Needs(profile.Quirks) || profile.ModelRules.Any(static r => Needs(r.Quirks));

        static bool Needs(ProviderQuirks q) => q.SystemRole is SystemRoleSupport.FirstOnly or SystemRoleSupport.Unsupported || q.RequiresAlternatingRoles == true;
    }
}

/// <summary>The options of each middleware in the default pipeline.</summary>
internal sealed class CompatPipelineOptions
{
    public ParameterSanitizingOptions? ParameterSanitizer { get; init; }

    public SystemMergingOptions? SystemMerge { get; init; }

    public ReasoningExtractionOptions? Reasoning { get; init; }
}
