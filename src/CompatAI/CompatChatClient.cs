using CompatAI.Client;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>The entry point: one <see cref="IChatClient"/> for any provider in the catalog.</summary>
public static class CompatChatClient
{
    /// <summary>Creates the provider's full default pipeline.</summary>
    /// <param name="options">The provider, and optionally endpoint, key, model and transport settings.</param>
    /// <returns>A chat client for the provider.</returns>
    /// <exception cref="ArgumentException">The options name an unknown or retired provider, lack a required endpoint or model, or no API key is available for a provider that needs one.</exception>
    public static IChatClient Create(CompatChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new OpenAICompatibleChatClient(options);
    }
}
