using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>One streamed piece of a text completion.</summary>
public sealed class CompletionUpdate
{
    /// <summary>Gets the text this piece adds (empty on the closing and usage pieces).</summary>
    public required string Text { get; init; }

    /// <summary>Gets why generation ended, on the piece that ends it.</summary>
    public string? FinishReason { get; init; }

    /// <summary>Gets the model that answered.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the provider's id of the completion.</summary>
    public string? ResponseId { get; init; }

    /// <summary>Gets the token usage, on the piece that carries it (usually the last).</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>Gets the chunk as the provider sent it.</summary>
    public JsonElement RawRepresentation { get; init; }
}
