using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// Opt-in middleware that turns image markers in user text, <c>[IMAGE:data:image/png;base64,...]</c> and
/// <c>[IMAGE:https://...]</c>, into image content parts (<see cref="DataContent"/> / <see cref="UriContent"/>) for vision
/// models, keeping the text around them in order. For a model whose profile says
/// <see cref="ProviderQuirks.SupportsVisionInput"/> is false, a request with markers fails with
/// <see cref="NotSupportedException"/> before anything is sent. The caller's messages are never changed.
/// </summary>
public sealed partial class ImageMarkerChatClient : DelegatingChatClient
{
    private readonly QuirkResolver _quirks;

    /// <summary>Creates the middleware around <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client to wrap.</param>
    /// <param name="profile">The provider's profile; when <see langword="null"/>, the profile the inner client reports through <c>GetService(typeof(ProviderProfile))</c>.</param>
    public ImageMarkerChatClient(IChatClient innerClient, ProviderProfile? profile = null)
        : base(innerClient)
    {
        _quirks = new QuirkResolver(innerClient, profile);
    }

    [GeneratedRegex(@"\[IMAGE:(?<source>[^\]\s]+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(Rewrite(messages, options), options, cancellationToken);

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(Rewrite(messages, options), options, cancellationToken);

    private List<ChatMessage> Rewrite(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<ChatMessage>();
        var index = 0;
        foreach (var message in messages)
        {
            if (message.Role != ChatRole.User || !message.Contents.OfType<TextContent>().Any(t => Marker().IsMatch(t.Text)))
            {
                result.Add(message);
                index++;
                continue;
            }

            if (_quirks.QuirksFor(options).SupportsVisionInput == false)
            {
                throw new NotSupportedException(
                    $"messages[{index}] contains an [IMAGE:...] marker, but model '{_quirks.ModelFor(options)}' of provider '{_quirks.ProviderName}' has no vision input (profile SupportsVisionInput: false). Remove the marker or use a vision model.");
            }

            var contents = new List<AIContent>();
            foreach (var content in message.Contents)
            {
                if (content is TextContent text)
                {
                    Split(text.Text, contents, index);
                }
                else
                {
                    contents.Add(content);
                }
            }

            var clone = message.Clone();
            clone.Contents = contents;
            result.Add(clone);
            index++;
        }

        return result;
    }

    private static void Split(string text, List<AIContent> contents, int index)
    {
        var last = 0;
        foreach (Match match in Marker().Matches(text))
        {
            AddText(text[last..match.Index], contents);
            contents.Add(ImageFor(match.Groups["source"].Value, index));
            last = match.Index + match.Length;
        }

        AddText(text[last..], contents);
    }

    private static void AddText(string text, List<AIContent> contents)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            contents.Add(new TextContent(text.Trim()));
        }
    }

    private static AIContent ImageFor(string source, int index)
    {
        if (source.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            DataContent data;
            try
            {
                data = new DataContent(source);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException($"messages[{index}] has an [IMAGE:data:...] marker that is not a valid base64 data URI: {ex.Message}", "messages", ex);
            }

            return data.HasTopLevelMediaType("image")
                ? data
                : throw new ArgumentException($"messages[{index}] has an [IMAGE:...] marker of media type '{data.MediaType}'; only image/* data URIs are images.", "messages");
        }

        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return new UriContent(uri, MediaTypeFor(uri));
        }

        throw new ArgumentException($"messages[{index}] has an [IMAGE:...] marker whose source is neither a data: URI nor an http(s) URL: '{(source.Length > 40 ? source[..40] + "…" : source)}'.", "messages");
    }

    private static string MediaTypeFor(Uri uri) => Path.GetExtension(uri.AbsolutePath).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        _ => "image/*",
    };
}
