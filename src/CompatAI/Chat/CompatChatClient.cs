using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompatAI;

/// <summary>The entry point: one <see cref="IChatClient"/> for any provider in the catalog.</summary>
public static class CompatChatClient
{
    /// <summary>
    /// Creates the provider's client: its quirk middleware (<see cref="ParameterSanitizingChatClient"/>,
    /// <see cref="SystemMergingChatClient"/> where the profile needs it, <see cref="ReasoningExtractingChatClient"/>) around
    /// <see cref="OpenAICompatibleChatClient"/>, each layer reading the provider's quirks from its profile.
    /// </summary>
    /// <param name="options">The provider, and optionally endpoint, key, model, transport and middleware settings.</param>
    /// <returns>A chat client for the provider.</returns>
    /// <exception cref="ArgumentException">The options name an unknown or retired provider, lack a required endpoint or model, or no API key is available for a provider that needs one.</exception>
    public static IChatClient Create(CompatChatClientOptions options) => CreateBuilder(options).Build();

    /// <summary>
    /// Creates a Microsoft.Extensions.AI <see cref="ChatClientBuilder"/> whose inner client is the provider's client (as
    /// <see cref="Create"/> returns it), so that application middleware (<c>UseFunctionInvocation</c>,
    /// <c>UseDistributedCache</c>, <c>UseOpenTelemetry</c>, <c>UseLogging</c>) wraps it.
    /// </summary>
    /// <param name="options">The provider, and optionally endpoint, key, model, transport and middleware settings.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="Create"/>); raised here, before anything is built.</exception>
    public static ChatClientBuilder CreateBuilder(CompatChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var adapter = new OpenAICompatibleChatClient(options);
        var quirks = new CompatQuirksOptions
        {
            ParameterSanitizer = options.ParameterSanitizer,
            Reasoning = options.Reasoning,
            SystemMerge = options.SystemMerge,
        };
        var loggerFactory = options.LoggerFactory;
        return new ChatClientBuilder(services => CompatQuirksPipeline.Wrap(adapter, adapter.Profile, quirks, loggerFactory ?? services.GetService<ILoggerFactory>()));
    }
}
