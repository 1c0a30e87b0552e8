using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatFinishReason = Microsoft.Extensions.AI.ChatFinishReason;

namespace CompatAI;

/// <summary>
/// Surfaces Azure OpenAI's content-filter annotations: <c>prompt_filter_results</c> and each choice's
/// <c>content_filter_results</c> (categories such as hate, sexual, violence, self_harm with <c>filtered</c> and
/// <c>severity</c>) land in <see cref="ChatResponse.AdditionalProperties"/> (and a streamed update's) under
/// <see cref="PromptFilterResultsKey"/> and <see cref="ContentFilterResultsKey"/> as <see cref="JsonElement"/>s. Filtered
/// output itself ends with <see cref="ChatFinishReason.ContentFilter"/> (mapped by Microsoft.Extensions.AI.OpenAI).
/// Added to the pipeline for profiles whose quirks set <see cref="ProviderQuirks.ReportsContentFilterResults"/>.
/// </summary>
public sealed class ContentFilterResultsChatClient : DelegatingChatClient
{
    /// <summary>The <c>AdditionalProperties</c> key of the prompt's filter results (a <see cref="JsonElement"/> array).</summary>
    public const string PromptFilterResultsKey = "prompt_filter_results";

    /// <summary>The <c>AdditionalProperties</c> key of the answer's filter results (a <see cref="JsonElement"/> object of categories).</summary>
    public const string ContentFilterResultsKey = "content_filter_results";

    /// <summary>Creates the middleware.</summary>
    /// <param name="innerClient">The client whose responses carry the provider's raw representation.</param>
    public ContentFilterResultsChatClient(IChatClient innerClient)
        : base(innerClient)
    {
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (response.RawRepresentation is ChatCompletion completion)
        {
            response.AdditionalProperties = Copy(ref completion.Patch, response.AdditionalProperties);
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (update.RawRepresentation is StreamingChatCompletionUpdate raw)
            {
                update.AdditionalProperties = Copy(ref raw.Patch, update.AdditionalProperties);
            }

            yield return update;
        }
    }

    private static AdditionalPropertiesDictionary? Copy(ref System.ClientModel.Primitives.JsonPatch patch, AdditionalPropertiesDictionary? properties)
    {
        if (RawJson.TryGet(ref patch, "$.prompt_filter_results"u8, out var prompt))
        {
            (properties ??= [])[PromptFilterResultsKey] = Parse(prompt);
        }

        if (RawJson.TryGet(ref patch, "$.choices[0].content_filter_results"u8, out var content))
        {
            (properties ??= [])[ContentFilterResultsKey] = Parse(content);
        }

        return properties;
    }

    private static JsonElement Parse(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
