using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Providers;

/// <summary>
/// Builds the <see cref="IChatClient"/> for a configured provider. The default passes the options to
/// <see cref="CompatChatClient.CreateBuilder"/> with the gateway's shared <see cref="HttpClient"/>; replace it in DI, or add
/// a pipeline step with <see cref="Hosting.CompatGatewayBuilder.ConfigurePipeline"/>, to serve your own pipelines.
/// </summary>
public interface IProviderClientFactory
{
    /// <summary>Builds the client for one provider entry.</summary>
    /// <param name="name">The entry's name (its model prefix).</param>
    /// <param name="options">
    /// The options read from <c>CompatAI:Providers:&lt;name&gt;</c> by <see cref="CompatProviderConfiguration.ToClientOptions"/>
    /// (with <c>CompatAI:Profiles</c> applied to <see cref="CompatChatClientOptions.Catalog"/>), whose
    /// <see cref="CompatChatClientOptions.ApiKey"/> is the key to use: the entry's own or the client's passed-through credential.
    /// </param>
    /// <returns>The client.</returns>
    IChatClient Create(string name, CompatChatClientOptions options);
}
