using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// The layer just above Microsoft.Extensions.AI.OpenAI's client: replaces message texts of at least
/// <see cref="LargeTextScope.Threshold"/> characters with markers of a new <see cref="LargeTextScope"/> for the duration
/// of the call, so that the OpenAI SDK serializes a small request; <see cref="LargeTextContentPolicy"/> (installed by
/// <c>UseCompatWireRepairs</c>) writes the texts back into the body as it goes to the network. Only used where that
/// policy is in the SDK's pipeline. Every layer above sees the real text.
/// </summary>
/// <remarks>
/// Only <see cref="TextContent"/> of messages is taken out, and only where Microsoft.Extensions.AI.OpenAI sends the
/// content's <see cref="TextContent.Text"/> itself: not when the message or the content carries an OpenAI SDK raw
/// representation, which is sent instead. The scope ends (texts dropped, markers no longer resolvable) when the call
/// returns, throws or is cancelled, or when a stream is disposed.
/// </remarks>
internal sealed class LargeTextOffloadingChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (scope, offloaded) = Offload(messages);
        try
        {
            return await base.GetResponseAsync(offloaded, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            scope?.Dispose();
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (scope, offloaded) = Offload(messages);
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(offloaded, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            scope?.Dispose();
        }
    }

    /// <summary>Returns the messages with their large texts replaced by markers, and the scope holding them (none when no text is large).</summary>
    internal static (LargeTextScope? Scope, IEnumerable<ChatMessage> Messages) Offload(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        LargeTextScope? scope = null;
        List<ChatMessage>? replaced = null;
        for (var i = 0; i < list.Count; i++)
        {
            var message = list[i];
            if (message.RawRepresentation is OpenAI.Chat.ChatMessage || !HasLargeText(message))
            {
                replaced?.Add(message);
                continue;
            }

            scope ??= LargeTextScope.Begin();
            if (replaced is null)
            {
                replaced = new List<ChatMessage>(list.Count);
                for (var j = 0; j < i; j++)
                {
                    replaced.Add(list[j]);
                }
            }

            var copy = message.Clone();
            var contents = new List<AIContent>(message.Contents.Count);
            foreach (var content in message.Contents)
            {
                contents.Add(IsLarge(content, out var text)
                    ? new TextContent(scope.Add(text)) { AdditionalProperties = content.AdditionalProperties, Annotations = ((TextContent)content).Annotations }
                    : content);
            }

            copy.Contents = contents;
            replaced.Add(copy);
        }

        return (scope, replaced ?? (IEnumerable<ChatMessage>)list);
    }

    private static bool HasLargeText(ChatMessage message)
    {
        foreach (var content in message.Contents)
        {
            if (IsLarge(content, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsLarge(AIContent content, out string text)
    {
        if (content is TextContent { Text: { Length: >= LargeTextScope.Threshold } large, RawRepresentation: not OpenAI.Chat.ChatMessageContentPart })
        {
            text = large;
            return true;
        }

        text = string.Empty;
        return false;
    }
}
