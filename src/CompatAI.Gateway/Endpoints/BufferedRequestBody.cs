using System.Buffers;

namespace CompatAI.Gateway.Endpoints;

/// <summary>
/// A request body read into memory, with its reservation in the gateway's body budget. The bytes are released as soon
/// as they are parsed (<see cref="ReleaseBytes"/>); the reservation only when the request is done (<see cref="Dispose"/>),
/// because the parsed messages and the upstream request built from them hold about as much memory until then.
/// </summary>
internal sealed class BufferedRequestBody : IDisposable
{
    private byte[]? _buffer;
    private readonly bool _pooled;
    private IDisposable? _lease;

    public BufferedRequestBody(byte[] buffer, int length, bool pooled, IDisposable lease)
    {
        _buffer = buffer;
        Length = length;
        _pooled = pooled;
        _lease = lease;
    }

    public int Length { get; }

    /// <summary>Gets the body's bytes; only until <see cref="ReleaseBytes"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(BufferedRequestBody))).AsMemory(0, Length);

    /// <summary>Gives the bytes back (to the pool, or to the GC for a large body) and drops every reference to them.</summary>
    public void ReleaseBytes()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            if (_pooled)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public void Dispose()
    {
        ReleaseBytes();
        _lease?.Dispose();
        _lease = null;
    }
}
