using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Adapters;

/// <summary>A validated chat request routed to one provider.</summary>
public sealed class GatewayChatRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options; <see cref="ChatOptions.ModelId"/> is the upstream model id (the prefix removed).</param>
    /// <param name="context">The inbound request context.</param>
    public GatewayChatRequest(IList<ChatMessage> messages, ChatOptions options, GatewayRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        Messages = messages;
        Options = options;
        Context = context;
    }

    /// <summary>Gets the conversation, in order.</summary>
    public IList<ChatMessage> Messages { get; }

    /// <summary>Gets the options; <see cref="ChatOptions.ModelId"/> is the upstream model id and unknown request fields are in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    public ChatOptions Options { get; }

    /// <summary>Gets the inbound request context (headers, credential, provider and model).</summary>
    public GatewayRequestContext Context { get; }

    /// <summary>Returns a copy of this request for another provider and model (used by fallback chains).</summary>
    /// <param name="context">The context of the other provider.</param>
    /// <returns>The copy; the messages are shared, the options cloned.</returns>
    public GatewayChatRequest WithContext(GatewayRequestContext context)
    {
        var options = Options.Clone();
        options.ModelId = context.ModelId;
        return new GatewayChatRequest(Messages, options, context);
    }
}
