using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CompatAI.Reliability.Infrastructure;

/// <summary>
/// A raw TCP server on 127.0.0.1 that reads one HTTP/1.1 request per connection and then runs a scripted fault on the
/// socket: any bytes, resets, hangs, trickles. It counts connections and requests so tests can account for every one.
/// </summary>
internal sealed class FaultServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<FaultConnection, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentBag<Task> _connections = [];
    private int _open;
    private int _requests;

    private FaultServer(Func<FaultConnection, Task> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri V1 => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1");

    /// <summary>Gets how many requests have been read.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Gets how many connections are open right now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Gets the bodies of the requests read, in arrival order.</summary>
    public ConcurrentQueue<string> Bodies { get; } = new();

    public static FaultServer Start(Func<FaultConnection, Task> script) => new(script);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _connections.Add(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Interlocked.Increment(ref _open);
        try
        {
            using (socket)
            {
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                var body = await ReadRequestAsync(stream, _stop.Token).ConfigureAwait(false);
                if (body is null)
                {
                    return;
                }

                Bodies.Enqueue(body);
                Interlocked.Increment(ref _requests);
                await _script(new FaultConnection(socket, stream, body, _stop.Token)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away (or the test ended) while the fault was being played: that is the point of a fault server.
            return;
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private static async Task<string?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        int headerEnd;
        while ((headerEnd = IndexOf(buffer.AsSpan(0, length), "\r\n\r\n"u8)) < 0)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length += read;
        }

        var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
        var contentLength = 0;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var bodyStart = headerEnd + 4;
        var needed = bodyStart + contentLength;
        if (buffer.Length < needed)
        {
            Array.Resize(ref buffer, needed);
        }

        while (length < needed)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length, needed - length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length += read;
        }

        return Encoding.UTF8.GetString(buffer, bodyStart, contentLength);
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        await Task.WhenAll(_connections).ConfigureAwait(false);
        _stop.Dispose();
    }
}

/// <summary>One accepted connection whose request has been read.</summary>
internal sealed class FaultConnection(Socket socket, Stream stream, string requestBody, CancellationToken stopping)
{
    public string RequestBody { get; } = requestBody;

    public bool Streaming => RequestBody.Contains("\"stream\":true", StringComparison.Ordinal);

    public CancellationToken Stopping { get; } = stopping;

    public Task WriteAsync(string text) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), Stopping).AsTask();

    public async Task FlushAsync() => await stream.FlushAsync(Stopping).ConfigureAwait(false);

    /// <summary>Ends the connection with a TCP reset instead of a graceful close.</summary>
    public void Reset()
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    /// <summary>Waits until the client closes the connection (or the server stops): a hang, from the client's side.</summary>
    public async Task HangAsync()
    {
        var buffer = new byte[1];
        while (await stream.ReadAsync(buffer, Stopping).ConfigureAwait(false) > 0)
        {
        }
    }
}
