using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>Active health probes that are not a model list (for that, see <see cref="CompatModelClient.ProbeAsync"/>).</summary>
public static class ProviderProbe
{
    /// <summary>The text of the one-token probe's user message.</summary>
    public const string OneTokenPrompt = "ping";

    /// <summary>
    /// Sends one chat request that asks for a single output token (<see cref="ChatOptions.MaxOutputTokens"/> = 1) through
    /// <paramref name="client"/>: pass a candidate's own pipeline (<see cref="RouteCandidate.Client"/>), so its key,
    /// model, headers and wire repairs apply. It succeeds when the provider answers, whatever the token; it costs the
    /// provider's price of a few input tokens and one output token.
    /// </summary>
    /// <param name="client">The client to probe.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that fails (typically with a <see cref="ProviderException"/>) when the provider does not answer.</returns>
    public static async Task OneTokenAsync(IChatClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, OneTokenPrompt)], new ChatOptions { MaxOutputTokens = 1 }, cancellationToken).ConfigureAwait(false);
    }
}
