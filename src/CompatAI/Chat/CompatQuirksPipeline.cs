using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompatAI;

/// <summary>
/// Composes one provider's quirk middleware. The order, outermost first, is:
/// <list type="number">
/// <item><see cref="ModelLifecycleChatClient"/>: refuses a model the catalog records as retired before any other work,
/// warns once about deprecated ones, and explains a provider's "not found" for a retired model.</item>
/// <item><see cref="ParameterSanitizingChatClient"/>: sees the caller's request first, so Strict mode fails before
/// anything else runs; maps roles, ids and parameters, and may turn a JSON schema into instructions.</item>
/// <item><see cref="SystemMergingChatClient"/>: then moves system text (including those instructions) where the provider
/// accepts it; left out for providers none of whose rules restrict the system role or demand alternating turns.</item>
/// <item><see cref="ReasoningExtractingChatClient"/>: closest to the inner client, so it replays reasoning on the final
/// assistant messages (after ids were remapped) and is the first to see each response.</item>
/// <item><see cref="ContentFilterResultsChatClient"/>, only for profiles that report Azure-style content-filter results.</item>
/// </list>
/// </summary>
internal static class CompatQuirksPipeline
{
    /// <summary>Wraps <paramref name="inner"/> in the provider's quirk middleware.</summary>
    /// <param name="inner">The client the middleware wraps.</param>
    /// <param name="profile">The provider's profile.</param>
    /// <param name="options">The middleware options; defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Creates the middleware's loggers; none when <see langword="null"/>.</param>
    /// <returns>The outermost client.</returns>
    public static IChatClient Wrap(IChatClient inner, ProviderProfile profile, CompatQuirksOptions? options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(profile);
        options ??= new CompatQuirksOptions();
        IChatClient client = profile.Quirks.ReportsContentFilterResults == true ? new ContentFilterResultsChatClient(inner) : inner;
        client = new ReasoningExtractingChatClient(client, profile, options.Reasoning);
        if (options.SystemMerge is not null || NeedsSystemMerge(profile))
        {
            client = new SystemMergingChatClient(client, profile, options.SystemMerge);
        }

        client = new ParameterSanitizingChatClient(client, profile, options.ParameterSanitizer, loggerFactory?.CreateLogger<ParameterSanitizingChatClient>());
        return new ModelLifecycleChatClient(client, profile, loggerFactory?.CreateLogger<ModelLifecycleChatClient>());
    }

    /// <summary>Returns whether any of the profile's rules restricts the system role or demands alternating turns.</summary>
    internal static bool NeedsSystemMerge(ProviderProfile profile)
    {
        return Needs(profile.Quirks) || profile.ModelRules.Any(static r => Needs(r.Quirks));

        static bool Needs(ProviderQuirks q) => q.SystemRole is SystemRoleSupport.FirstOnly or SystemRoleSupport.Unsupported || q.RequiresAlternatingRoles == true;
    }
}
