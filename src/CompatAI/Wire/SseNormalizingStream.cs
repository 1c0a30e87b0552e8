using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompatAI;

/// <summary>
/// Sits between the HTTP response and the OpenAI SDK's SSE parser and hands the SDK a stream it can always parse:
/// chunks are repaired by <see cref="WireJsonNormalizer"/>; bare JSON lines without <c>data:</c> (a GPUStack gateway
/// bug) are framed; an error object inside the stream, a cut connection, or an end of stream with neither a finish
/// reason nor <c>[DONE]</c> become a <see cref="ProviderException"/> after everything before them has been delivered.
/// For providers that repeat running usage totals on every chunk (<see cref="ProviderQuirks.CumulativeStreamUsage"/>),
/// usage is taken off each chunk and the last report is sent once, in a usage-only chunk at the end of the stream, so
/// that consumers which add up streamed usage (MEAI's <c>ToChatResponse</c>) see the provider's total.
/// </summary>
internal sealed class SseNormalizingStream : Stream
{
    private const int ReadSize = 16 * 1024;
    private static readonly byte[] s_dataPrefix = "data: "u8.ToArray();

    private readonly Stream _inner;
    private readonly string _providerName;
    private readonly string? _apiKey;
    private readonly ToolCallIndexTracker _toolCallIndexes = new();
    private readonly bool _cumulativeUsage;

    private byte[] _input = ArrayPool<byte>.Shared.Rent(ReadSize * 2);
    private int _inputStart;
    private int _inputEnd;
    private byte[] _output = ArrayPool<byte>.Shared.Rent(ReadSize * 2);
    private int _outputStart;
    private int _outputEnd;

    private bool _innerEnded;
    private bool _sawDone;
    private bool _sawFinish;
    private bool _sawData;
    private bool _nextDataIsError;
    private ProviderException? _pending;
    private bool _disposed;
    private JsonObject? _heldUsage;

    public SseNormalizingStream(Stream inner, string providerName, string? apiKey, bool cumulativeUsage = false)
    {
        _inner = inner;
        _providerName = providerName;
        _apiKey = apiKey;
        _cumulativeUsage = cumulativeUsage;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Streamed responses are read asynchronously.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (_outputEnd > _outputStart)
            {
                var n = Math.Min(buffer.Length, _outputEnd - _outputStart);
                _output.AsSpan(_outputStart, n).CopyTo(buffer.Span);
                _outputStart += n;
                return n;
            }

            _outputStart = _outputEnd = 0;
            if (_pending is { } pending)
            {
                throw pending;
            }

            if (_innerEnded)
            {
                return 0;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_inputStart > 0 && _inputStart == _inputEnd)
        {
            _inputStart = _inputEnd = 0;
        }

        if (_input.Length - _inputEnd < ReadSize)
        {
            // Compact, or grow for a line longer than the buffer.
            var live = _inputEnd - _inputStart;
            var target = live + ReadSize > _input.Length ? ArrayPool<byte>.Shared.Rent((live + ReadSize) * 2) : _input;
            Buffer.BlockCopy(_input, _inputStart, target, 0, live);
            if (!ReferenceEquals(target, _input))
            {
                ArrayPool<byte>.Shared.Return(_input);
                _input = target;
            }

            _inputStart = 0;
            _inputEnd = live;
        }

        int read;
        try
        {
            read = await _inner.ReadAsync(_input.AsMemory(_inputEnd), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var timedOut = ex is OperationCanceledException;
            _pending = new ProviderException(
                _providerName,
                _sawData ? ProviderErrorKind.StreamInterrupted : timedOut ? ProviderErrorKind.Timeout : ProviderErrorKind.Unavailable,
                timedOut
                    ? $"{_providerName}: the stream stalled: no data arrived within the network timeout{(_sawData ? " after output had started" : string.Empty)}."
                    : $"{_providerName}: the connection broke while streaming{(_sawData ? " after output had started" : string.Empty)}: {ex.Message}",
                innerException: ex)
            {
                OutputStarted = _sawData,
            };
            _innerEnded = true;
            return;
        }

        if (read == 0)
        {
            _innerEnded = true;
            if (_inputEnd > _inputStart)
            {
                ProcessLine(_input.AsSpan(_inputStart, _inputEnd - _inputStart));
                _inputStart = _inputEnd;
            }

            if (_pending is null && !_sawDone && !_sawFinish)
            {
                _pending = new ProviderException(
                    _providerName,
                    ProviderErrorKind.StreamInterrupted,
                    $"{_providerName}: the stream ended before the provider finished (no finish_reason and no [DONE]); the answer is incomplete.")
                {
                    OutputStarted = _sawData,
                };
            }
            else if (_pending is null)
            {
                EmitHeldUsage(); // a finished stream without [DONE]
            }

            return;
        }

        _inputEnd += read;
        var span = _input.AsSpan(_inputStart, _inputEnd - _inputStart);
        int newline;
        while (_pending is null && (newline = span.IndexOf((byte)'\n')) >= 0)
        {
            ProcessLine(span[..newline]);
            _inputStart += newline + 1;
            span = span[(newline + 1)..];
        }
    }

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.IsEmpty || line[0] == (byte)':')
        {
            Emit(line, null);
            return;
        }

        ReadOnlySpan<byte> payload;
        if (line.StartsWith("data:"u8))
        {
            payload = line[5..];
            if (!payload.IsEmpty && payload[0] == (byte)' ')
            {
                payload = payload[1..];
            }
        }
        else if (line[0] == (byte)'{')
        {
            payload = line; // a bare JSON line: frame it as the data field it was meant to be
            CompatTelemetry.WireRepair(_providerName, CompatTelemetry.RepairBareJsonLineFramed);
        }
        else if (line.StartsWith("event:"u8))
        {
            _nextDataIsError = line[6..].Trim((byte)' ').SequenceEqual("error"u8);
            Emit(line, null);
            return;
        }
        else if (line.StartsWith("error:"u8))
        {
            _nextDataIsError = true;
            payload = line[6..].TrimStart((byte)' ');
        }
        else
        {
            Emit(line, null);
            return;
        }

        if (payload.SequenceEqual("[DONE]"u8))
        {
            if (!_sawDone)
            {
                EmitHeldUsage();
            }

            _sawDone = true;
            Emit(line, null);
            return;
        }

        var findings = WireJsonNormalizer.Scan(payload);
        if (_nextDataIsError || (findings & WireJsonNormalizer.Findings.Error) != WireJsonNormalizer.Findings.None)
        {
            _pending = ProviderErrorParser.FromInlineError(_providerName, payload, _apiKey, _sawData);
            CompatTelemetry.WireRepair(_providerName, CompatTelemetry.RepairErrorInSuccessResponse);
            return;
        }

        if ((findings & WireJsonNormalizer.Findings.Malformed) != WireJsonNormalizer.Findings.None)
        {
            _pending = new ProviderException(
                _providerName,
                _sawData ? ProviderErrorKind.StreamInterrupted : ProviderErrorKind.ServerError,
                $"{_providerName}: the stream carried data that is not JSON: {SecretRedactor.Redact(System.Text.Encoding.UTF8.GetString(payload[..Math.Min(payload.Length, 200)]), _apiKey)}")
            {
                OutputStarted = _sawData,
            };
            return;
        }

        _sawFinish |= (findings & WireJsonNormalizer.Findings.Finished) != WireJsonNormalizer.Findings.None;
        byte[]? repaired = null;
        if ((findings & (WireJsonNormalizer.Findings.BadFinishReason | WireJsonNormalizer.Findings.ToolCalls | WireJsonNormalizer.Findings.ContentParts)) != WireJsonNormalizer.Findings.None)
        {
            repaired = WireJsonNormalizer.Repair(payload, streaming: true, _toolCallIndexes, out var errorFinish, _providerName);
            if (errorFinish is not null)
            {
                _pending = new ProviderException(
                    _providerName,
                    _sawData ? ProviderErrorKind.StreamInterrupted : ProviderErrorKind.ServerError,
                    $"{_providerName}: the provider ended the stream with finish_reason '{errorFinish}'.")
                {
                    OutputStarted = _sawData,
                };
                return;
            }
        }

        if (_cumulativeUsage && (repaired ?? payload).IndexOf("\"usage\""u8) >= 0)
        {
            repaired = HoldUsage(repaired ?? payload) ?? repaired;
        }

        _sawData = true;
        if (repaired is not null || line[0] == (byte)'{' || line.StartsWith("error:"u8))
        {
            Emit(s_dataPrefix, repaired ?? payload);
        }
        else
        {
            Emit(line, null);
        }
    }

    /// <summary>
    /// Takes <c>usage</c> off a chunk of a provider that repeats running totals, keeping the latest report for
    /// <see cref="EmitHeldUsage"/>. Returns the chunk without it, or <see langword="null"/> when it had none.
    /// </summary>
    private byte[]? HoldUsage(ReadOnlySpan<byte> chunk)
    {
        if (JsonNode.Parse(chunk, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) is not JsonObject root
            || !root.TryGetPropertyValue("usage", out var usage))
        {
            return null;
        }

        root.Remove("usage");
        if (usage is JsonObject report)
        {
            _heldUsage = new JsonObject
            {
                ["id"] = root["id"]?.DeepClone(),
                ["object"] = "chat.completion.chunk",
                ["created"] = root["created"]?.DeepClone() ?? 0,
                ["model"] = root["model"]?.DeepClone(),
                ["choices"] = new JsonArray(),
                ["usage"] = report,
            };
        }

        return JsonSerializer.SerializeToUtf8Bytes(root, WireJsonContext.Default.JsonObject);
    }

    /// <summary>Sends the provider's last usage report, once, as a usage-only chunk.</summary>
    private void EmitHeldUsage()
    {
        if (_heldUsage is { } held)
        {
            _heldUsage = null;
            Emit(s_dataPrefix, JsonSerializer.SerializeToUtf8Bytes(held, WireJsonContext.Default.JsonObject));
            Emit([], []); // the blank line that ends the event
            CompatTelemetry.WireRepair(_providerName, CompatTelemetry.RepairCumulativeUsage);
        }
    }

    private void Emit(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var needed = first.Length + second.Length + 1;
        if (_output.Length - _outputEnd < needed)
        {
            var live = _outputEnd - _outputStart;
            var target = ArrayPool<byte>.Shared.Rent(Math.Max(_output.Length * 2, live + needed));
            Buffer.BlockCopy(_output, _outputStart, target, 0, live);
            ArrayPool<byte>.Shared.Return(_output);
            _output = target;
            _outputStart = 0;
            _outputEnd = live;
        }

        first.CopyTo(_output.AsSpan(_outputEnd));
        _outputEnd += first.Length;
        second.CopyTo(_output.AsSpan(_outputEnd));
        _outputEnd += second.Length;
        _output[_outputEnd++] = (byte)'\n';
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            _disposed = true;
            if (disposing)
            {
                _inner.Dispose();
            }

            ArrayPool<byte>.Shared.Return(_input);
            ArrayPool<byte>.Shared.Return(_output);
        }

        base.Dispose(disposing);
    }
}
