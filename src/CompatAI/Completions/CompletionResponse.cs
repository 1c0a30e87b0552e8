using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>A whole text completion.</summary>
public sealed class CompletionResponse
{
    /// <summary>Gets the generated text (after the echoed prompt, when <see cref="CompletionRequest.Echo"/> was set).</summary>
    public required string Text { get; init; }

    /// <summary>Gets why generation ended (<c>stop</c>, <c>length</c>, ...), as the provider said.</summary>
    public string? FinishReason { get; init; }

    /// <summary>Gets the model that answered.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the provider's id of the completion.</summary>
    public string? ResponseId { get; init; }

    /// <summary>Gets the token usage, when the provider reported it.</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>Gets the <c>logprobs</c> object of the first choice, when one was asked for and returned.</summary>
    public JsonElement? Logprobs { get; init; }

    /// <summary>Gets the whole response body.</summary>
    public JsonElement RawRepresentation { get; init; }
}
