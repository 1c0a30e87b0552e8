using CompatAI.Gateway.Configuration;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Providers;

/// <summary>
/// Builds the <see cref="IChatClient"/> for a configured provider. The default builds a CompatAI client
/// (<c>CompatChatClient.Create</c>); replace it in DI, or add a pipeline step with
/// <see cref="Hosting.CompatGatewayBuilder.ConfigurePipeline"/>, to serve your own pipelines.
/// </summary>
public interface IProviderClientFactory
{
    /// <summary>Builds the client for one provider entry.</summary>
    /// <param name="name">The entry's name (its model prefix).</param>
    /// <param name="entry">The configured entry.</param>
    /// <param name="apiKey">The key to use: the entry's own or the client's passed-through credential; <see langword="null"/> for none.</param>
    /// <returns>The client.</returns>
    IChatClient Create(string name, ProviderEntry entry, string? apiKey);
}
