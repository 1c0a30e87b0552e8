using CompatAI.Builder;

namespace CompatAI.Middleware.SystemMerging;

/// <summary>Adds <see cref="SystemMergingChatClient"/> to a <see cref="CompatChatClientBuilder"/>.</summary>
public static class SystemMergingBuilderExtensions
{
    /// <summary>Adds the system-merge shim to the pipeline.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets options; <see langword="null"/> for the profile's defaults.</param>
    /// <returns>The builder.</returns>
    public static CompatChatClientBuilder UseSystemMerge(this CompatChatClientBuilder builder, Action<SystemMergingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SystemMergingOptions();
        configure?.Invoke(options);
        return builder.Use(inner => new SystemMergingChatClient(inner, options));
    }
}
