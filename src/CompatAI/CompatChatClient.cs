using CompatAI.Builder;
using CompatAI.Client;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>The entry point: one <see cref="IChatClient"/> for any provider in the catalog.</summary>
public static class CompatChatClient
{
    /// <summary>
    /// Creates the provider's full default pipeline, outermost first: <c>ParameterSanitizingChatClient</c>,
    /// <c>SystemMergingChatClient</c> (only where the profile restricts the system role or demands alternation),
    /// <c>ReasoningExtractingChatClient</c>, then <see cref="OpenAICompatibleChatClient"/>. Each layer reads the
    /// provider's quirks from its profile.
    /// </summary>
    /// <param name="options">The provider, and optionally endpoint, key, model and transport settings.</param>
    /// <returns>A chat client for the provider.</returns>
    /// <exception cref="ArgumentException">The options name an unknown or retired provider, lack a required endpoint or model, or no API key is available for a provider that needs one.</exception>
    public static IChatClient Create(CompatChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var adapter = new OpenAICompatibleChatClient(options);
        return CompatPipeline.Compose(adapter, adapter.Profile, adapter.Model);
    }
}
