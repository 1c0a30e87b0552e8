using CompatAI.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompatAI.Middleware.ParameterSanitizing;

/// <summary>Adds <see cref="ParameterSanitizingChatClient"/> to a <see cref="CompatChatClientBuilder"/>.</summary>
public static class ParameterSanitizerBuilderExtensions
{
    /// <summary>Adds the parameter sanitizer to the pipeline; it logs through the services' <see cref="ILoggerFactory"/> when there is one.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets options; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    public static CompatChatClientBuilder UseParameterSanitizer(this CompatChatClientBuilder builder, Action<ParameterSanitizingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ParameterSanitizingOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => new ParameterSanitizingChatClient(
            inner, options, services.GetService<ILoggerFactory>()?.CreateLogger<ParameterSanitizingChatClient>()));
    }
}
