using System.ClientModel;
using System.ClientModel.Primitives;

namespace CompatAI;

/// <summary>
/// Puts the texts of a <see cref="LargeTextScope"/> back into the request: the SDK's (small) serialized body is read once,
/// and the request content is replaced by a <see cref="LargeTextBinaryContent"/> that writes the body with each marker
/// replaced by its text, JSON-escaped in small pieces straight to the network stream. The last policy before the
/// transport; does nothing (and reads nothing) while no call in the process has large texts in flight.
/// </summary>
/// <remarks>
/// A marker whose nonce names no live scope is not CompatAI's (user text shaped like a marker) and is sent as it is. A
/// marker of a live scope that cannot be resolved (not a whole JSON string value, an index the scope does not have) is
/// an <see cref="InvalidOperationException"/> before anything is sent: a marker never reaches the provider in place of
/// the text. The replaced content is written the same way on every attempt, so retries send identical bytes. While some
/// call has large texts in flight, every Chat Completions request of the process is serialized once into a buffer here
/// (small for CompatAI's own clients, whose large texts are markers) and that buffer is sent, so it is not serialized twice.
/// </remarks>
internal sealed class LargeTextContentPolicy : PipelinePolicy
{
    /// <summary>The one instance; the policy has no state.</summary>
    public static LargeTextContentPolicy Instance { get; } = new();

    private LargeTextContentPolicy()
    {
    }

    /// <inheritdoc />
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        throw new NotSupportedException("CompatAI's OpenAI-compatible clients only issue asynchronous requests.");

    /// <inheritdoc />
    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        if (LargeTextScope.AnyLive && message.Request.Content is { } content and not LargeTextBinaryContent)
        {
            byte[] body;
            using (var buffer = new MemoryStream())
            {
                await content.WriteToAsync(buffer, message.CancellationToken).ConfigureAwait(false);
                body = buffer.ToArray();
            }

            message.Request.Content = Resolve(body) is { } resolved
                ? resolved
                // No marker of a live scope: send the bytes just written rather than serializing the request again.
                : BinaryContent.Create(new BinaryData(body));
        }

        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }

    /// <summary>Returns the body with its live markers resolved, or <see langword="null"/> when it has none.</summary>
    /// <exception cref="InvalidOperationException">A marker of a live scope cannot be resolved.</exception>
    internal static LargeTextBinaryContent? Resolve(byte[] body)
    {
        List<LargeTextBinaryContent.Piece>? pieces = null;
        var copied = 0;
        var searchFrom = 0;
        var prefix = LargeTextScope.MarkerPrefix;
        while (true)
        {
            var found = body.AsSpan(searchFrom).IndexOf(prefix);
            if (found < 0)
            {
                break;
            }

            var start = searchFrom + found;
            var nonceStart = start + prefix.Length;
            searchFrom = nonceStart;
            if (body.Length - nonceStart < LargeTextScope.NonceLength
                || !LargeTextScope.TryGetLive(body.AsSpan(nonceStart, LargeTextScope.NonceLength), out var scope))
            {
                // Not a marker of a call in flight: user text, sent as it is.
                continue;
            }

            var indexStart = nonceStart + LargeTextScope.NonceLength + 1;
            var indexEnd = indexStart;
            while (indexEnd < body.Length && body[indexEnd] is >= (byte)'0' and <= (byte)'9' && indexEnd - indexStart < 9)
            {
                indexEnd++;
            }

            var text = indexStart - 1 < body.Length && body[indexStart - 1] == (byte)':' && indexEnd > indexStart
                ? scope.Get(ParseIndex(body.AsSpan(indexStart, indexEnd - indexStart)))
                : null;
            if (text is null || start == 0 || body[start - 1] != (byte)'"' || indexEnd >= body.Length || body[indexEnd] != (byte)'"')
            {
                throw new InvalidOperationException(
                    "CompatAI took a large text out of the request to serialize it outside the shared array pool, but its marker cannot be put back "
                    + "(it is not a whole JSON string value of the serialized request, or its call has ended); the request was not sent.");
            }

            pieces ??= [];
            pieces.Add(new LargeTextBinaryContent.Piece(copied, start - 1 - copied, text));
            copied = indexEnd + 1;
            searchFrom = copied;
        }

        if (pieces is null)
        {
            return null;
        }

        pieces.Add(new LargeTextBinaryContent.Piece(copied, body.Length - copied, null));
        return new LargeTextBinaryContent(body, pieces);
    }

    private static int ParseIndex(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var digit in digits)
        {
            value = (value * 10) + (digit - '0');
        }

        return value;
    }
}
