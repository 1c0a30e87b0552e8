using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// Turns image markers in user text, <c>[IMAGE:data:image/png;base64,...]</c> and <c>[IMAGE:https://...]</c>, into image
/// content (<see cref="DataContent"/> and <see cref="UriContent"/>) for vision models, the way some chat front ends and
/// agents embed images in plain text. For a model whose profile says it takes no image input, a request carrying an image
/// (a marker or image content) fails with an <see cref="ArgumentException"/> before anything is sent. Opt-in: add it with
/// <c>UseImageMarkers</c>. Text without markers passes through untouched; the caller's messages are never changed.
/// </summary>
public sealed partial class ImageMarkerChatClient : DelegatingChatClient
{
    private readonly QuirkResolver _quirks;

    /// <summary>Creates the client.</summary>
    /// <param name="innerClient">The client to wrap.</param>
    /// <param name="profile">The provider whose image support applies; when <see langword="null"/>, the profile the inner client reports.</param>
    public ImageMarkerChatClient(IChatClient innerClient, ProviderProfile? profile = null)
        : base(innerClient)
    {
        _quirks = new QuirkResolver(innerClient, profile);
    }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(Prepare(messages, options), options, cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(Prepare(messages, options), options, cancellationToken);

    /// <summary>Returns the messages with markers turned into image content; the same list when there are none.</summary>
    internal IEnumerable<ChatMessage> Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<ChatMessage> ?? [.. messages];
        List<ChatMessage>? result = null;
        var hasImage = false;
        for (var i = 0; i < list.Count; i++)
        {
            var message = list[i];
            var replaced = message.Role == ChatRole.User ? Expand(message) : message;
            hasImage |= replaced.Contents.Any(static c => c is DataContent d && d.HasTopLevelMediaType("image") || c is UriContent u && u.HasTopLevelMediaType("image"));
            if (!ReferenceEquals(replaced, message) && result is null)
            {
                result = [.. list.Take(i)];
            }

            result?.Add(replaced);
        }

        if (hasImage && _quirks.QuirksFor(options).SupportsImageInput == false)
        {
            throw new ArgumentException(
                $"Model '{_quirks.ModelFor(options) ?? "(default)"}' of provider '{_quirks.ProviderName}' takes no image input, but the request carries an image; remove it or use a vision model.",
                nameof(messages));
        }

        return result ?? list;
    }

    private static ChatMessage Expand(ChatMessage message)
    {
        List<AIContent>? contents = null;
        for (var i = 0; i < message.Contents.Count; i++)
        {
            var content = message.Contents[i];
            if (content is not TextContent { Text: { } text } || !text.Contains("[IMAGE:", StringComparison.Ordinal))
            {
                contents?.Add(content);
                continue;
            }

            contents ??= [.. message.Contents.Take(i)];
            var position = 0;
            foreach (Match marker in Marker().Matches(text))
            {
                AddText(contents, text[position..marker.Index]);
                contents.Add(ToImage(marker.Groups["image"].Value));
                position = marker.Index + marker.Length;
            }

            AddText(contents, text[position..]);
        }

        if (contents is null)
        {
            return message;
        }

        var copy = message.Clone();
        copy.Contents = contents;
        return copy;
    }

    private static void AddText(List<AIContent> contents, string text)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            contents.Add(new TextContent(text.Trim()));
        }
    }

    private static AIContent ToImage(string image)
    {
        if (image.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new DataContent(image);
            }
            catch (FormatException ex)
            {
#pragma warning disable CA2208 // The bad value came in through the public method's 'messages' parameter; naming it tells the caller what to fix.
                throw new ArgumentException($"The image marker holds a data URI that is not valid base64 image data: {ex.Message}", "messages", ex);
#pragma warning restore CA2208
            }
        }

        return new UriContent(new Uri(image, UriKind.Absolute), MediaTypeFromExtension(image));
    }

    /// <summary>The media type of an image URL, from its extension; <c>image/*</c> when it has none that is known.</summary>
    private static string MediaTypeFromExtension(string url)
    {
        var path = new Uri(url).AbsolutePath;
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".jpg" or ".jpeg" => "image/jpeg",
            ".gif" => "image/gif",
            ".webp" => "image/webp",
            _ => "image/*",
        };
    }

    [GeneratedRegex(@"\[IMAGE:(?<image>data:image/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+|https?://[^\s\]]+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();
}
