using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Wire;

/// <summary>A chat-completions request that passed validation, mapped to Microsoft.Extensions.AI types.</summary>
internal sealed class ParsedChatRequest
{
    public required string Model { get; init; }

    public required List<ChatMessage> Messages { get; init; }

    public required ChatOptions Options { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }
}
