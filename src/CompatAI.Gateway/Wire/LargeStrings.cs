using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CompatAI.Gateway.Wire;

/// <summary>
/// The large string values of a request body (message text, data URIs), decoded straight from the body's bytes into
/// exact-size strings, and the body with each replaced by a short marker. The marker carries a random nonce, so a client
/// cannot forge one. <see cref="ChatRequestParser"/> parses the small remainder with <see cref="JsonDocument"/> and
/// resolves markers wherever it reads a string; a marker left unresolved (one inside raw JSON such as a tool schema)
/// makes it parse the original body instead.
/// </summary>
internal sealed class LargeStrings
{
    /// <summary>Bodies from this size are searched for large strings (below it, JsonDocument rents at most 1 MiB).</summary>
    public const int BodyThreshold = 1024 * 1024;

    /// <summary>String values from this many encoded bytes are taken out.</summary>
    public const int StringThreshold = 64 * 1024;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = 128 };

    private readonly string _marker;
    private readonly List<string> _values = [];
    private int _resolved;
    private bool[] _seen = [];

    private LargeStrings(string marker) => _marker = marker;

    /// <summary>Gets whether every marker was resolved, so that no marker reached the parsed request.</summary>
    public bool AllResolved => _resolved == _values.Count;

    /// <summary>Returns the body without its large strings, or <see langword="null"/> when it has none or is not valid JSON and UTF-8 (the ordinary parse then reports why).</summary>
    public static (ReadOnlyMemory<byte> Compact, LargeStrings Strings)? TryExtract(ReadOnlySpan<byte> body)
    {
        var strings = new LargeStrings("\uFDD0" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + "#");
        var compact = new ArrayBufferWriter<byte>(4096);
        try
        {
            var reader = new Utf8JsonReader(body, s_readerOptions);
            var copied = 0;
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length < StringThreshold)
                {
                    continue;
                }

                var start = (int)reader.TokenStartIndex;
                compact.Write(body[copied..start]);
                compact.Write(Encoding.UTF8.GetBytes("\"" + strings._marker + strings._values.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\""));
                copied = (int)reader.BytesConsumed;
                strings._values.Add(Decode(ref reader));
            }

            if (strings._values.Count == 0)
            {
                return null;
            }

            compact.Write(body[copied..]);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }

        strings._seen = new bool[strings._values.Count];
        return (compact.WrittenMemory, strings);
    }

    /// <summary>Returns the large string a marker stands for, or <paramref name="text"/> itself.</summary>
    public string Resolve(string text)
    {
        if (!text.StartsWith(_marker, StringComparison.Ordinal)
            || !int.TryParse(text.AsSpan(_marker.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            || index >= _values.Count)
        {
            return text;
        }

        if (!_seen[index])
        {
            _seen[index] = true;
            _resolved++;
        }

        return _values[index];
    }

    private static string Decode(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return s_strictUtf8.GetString(reader.ValueSpan);
        }

        // Unescaped text is never longer than its escaped form; this buffer is not pooled, so the GC reclaims it.
        var buffer = GC.AllocateUninitializedArray<byte>(reader.ValueSpan.Length);
        var length = reader.CopyString(buffer);
        return s_strictUtf8.GetString(buffer, 0, length);
    }
}
