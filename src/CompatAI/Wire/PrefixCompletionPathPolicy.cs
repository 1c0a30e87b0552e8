using System.ClientModel.Primitives;
using System.Text.Json;

namespace CompatAI;

/// <summary>
/// Sends Chat Completions requests whose last message is a prefix message (<c>"prefix": true</c>) to the path of the
/// provider's <see cref="PrefixCompletionProfile"/> (DeepSeek: <c>/beta/chat/completions</c>). Added only for profiles
/// whose prefix path differs from <c>chat/completions</c>; the body is parsed only when it holds the bytes
/// <c>"prefix":true</c>.
/// </summary>
internal sealed class PrefixCompletionPathPolicy(string path) : PipelinePolicy
{
    private const string ChatCompletions = "/chat/completions";

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        throw new NotSupportedException("CompatAI's OpenAI-compatible clients only issue asynchronous requests.");

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        if (message.Request.Uri is { } uri
            && uri.AbsolutePath.EndsWith(ChatCompletions, StringComparison.OrdinalIgnoreCase)
            && message.Request.Content is { } content)
        {
            using var buffer = new MemoryStream();
            await content.WriteToAsync(buffer, message.CancellationToken).ConfigureAwait(false);
            var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            if (body.Span.IndexOf("\"prefix\":true"u8) >= 0 && LastMessageIsPrefix(body))
            {
                var builder = new UriBuilder(uri);
                builder.Path = string.Concat(uri.AbsolutePath.AsSpan(0, uri.AbsolutePath.Length - ChatCompletions.Length), "/", path);
                message.Request.Uri = builder.Uri;
            }
        }

        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }

    private static bool LastMessageIsPrefix(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("messages", out var messages)
            && messages.ValueKind == JsonValueKind.Array
            && messages.GetArrayLength() > 0
            && messages[messages.GetArrayLength() - 1] is { ValueKind: JsonValueKind.Object } last
            && last.TryGetProperty("prefix", out var prefix)
            && prefix.ValueKind == JsonValueKind.True;
    }
}
