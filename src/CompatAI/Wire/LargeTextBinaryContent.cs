using System.ClientModel;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CompatAI;

/// <summary>
/// A request body made of the SDK's serialized (small) body and large texts written where their markers stood: each text
/// is JSON-escaped by <see cref="Utf8JsonWriter.WriteStringValueSegment(ReadOnlySpan{char}, bool)"/> in pieces of
/// <see cref="SegmentChars"/> characters and flushed to the stream piece by piece, so no buffer ever holds more than a
/// few tens of kilobytes of it and nothing is rented from the shared array pool. The escaping is the one the OpenAI SDK's
/// writer uses (System.Text.Json with <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>: non-ASCII text as is,
/// characters outside the Basic Multilingual Plane as <c>\u</c> pairs, lone surrogates as U+FFFD), so the bytes are
/// those the SDK would have sent. Can be written any number of times (retries), always the same bytes; its length is
/// computed by escaping once without keeping the output.
/// </summary>
internal sealed class LargeTextBinaryContent : BinaryContent
{
    /// <summary>Characters escaped per piece: at most six bytes each, so a piece stays well below the large object heap's threshold.</summary>
    internal const int SegmentChars = 4096;

    /// <summary>The OpenAI SDK's escaping (System.ClientModel's model writer): relaxed, not HTML-safe.</summary>
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly byte[] _body;
    private List<Piece> _pieces;
    private long _length = -1;

    /// <summary>Creates the content.</summary>
    /// <param name="body">The serialized body with markers.</param>
    /// <param name="pieces">The body in order: each piece's raw bytes, then its text (if any) as a JSON string value.</param>
    public LargeTextBinaryContent(byte[] body, List<Piece> pieces)
    {
        _body = body;
        _pieces = pieces;
    }

    /// <summary>Gets the texts this content writes (for tests).</summary>
    internal IEnumerable<string> Texts => _pieces.Where(static p => p.Text is not null).Select(static p => p.Text!);

    /// <inheritdoc />
    public override bool TryComputeLength(out long length)
    {
        if (_length < 0)
        {
            using var counter = new CountingStream();
            WriteTo(counter, CancellationToken.None);
            _length = counter.Length;
        }

        length = _length;
        return true;
    }

    /// <inheritdoc />
    public override void WriteTo(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, s_options);
        foreach (var piece in _pieces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stream.Write(_body, piece.Offset, piece.Length);
            if (piece.Text is not { } text)
            {
                continue;
            }

            writer.Reset(stream);
            for (var start = 0; start < text.Length;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = SegmentLength(text, start);
                writer.WriteStringValueSegment(text.AsSpan(start, count), isFinalSegment: start + count == text.Length);
                writer.Flush();
                start += count;
            }
        }
    }

    /// <inheritdoc />
    public override async Task WriteToAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var writer = new Utf8JsonWriter(stream, s_options);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var piece in _pieces)
            {
                await stream.WriteAsync(_body.AsMemory(piece.Offset, piece.Length), cancellationToken).ConfigureAwait(false);
                if (piece.Text is not { } text)
                {
                    continue;
                }

                writer.Reset(stream);
                for (var start = 0; start < text.Length;)
                {
                    var count = SegmentLength(text, start);
                    writer.WriteStringValueSegment(text.AsSpan(start, count), isFinalSegment: start + count == text.Length);
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    start += count;
                }
            }
        }
    }

    /// <summary>Drops the references to the texts.</summary>
    public override void Dispose() => _pieces = [];

    /// <summary>The next piece's length: <see cref="SegmentChars"/>, shortened so that a surrogate pair is never split.</summary>
    private static int SegmentLength(string text, int start)
    {
        var count = Math.Min(SegmentChars, text.Length - start);
        if (start + count < text.Length && char.IsHighSurrogate(text[start + count - 1]))
        {
            count--;
        }

        return count;
    }

    /// <summary>One part of the body: <see cref="Length"/> raw bytes from <see cref="Offset"/>, then <see cref="Text"/> as a JSON string value when set.</summary>
    /// <param name="Offset">Where the raw bytes start in the serialized body.</param>
    /// <param name="Length">How many raw bytes.</param>
    /// <param name="Text">The text written after them, or <see langword="null"/>.</param>
    internal readonly record struct Piece(int Offset, int Length, string? Text);

    /// <summary>Counts what is written and keeps none of it.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
