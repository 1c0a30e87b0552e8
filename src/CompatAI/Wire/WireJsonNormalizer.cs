using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompatAI;

/// <summary>
/// Repairs the provider deviations in a Chat Completions JSON body (a whole response or one stream chunk) that would
/// make the OpenAI SDK throw or lose data: unknown <c>finish_reason</c> values, <c>type: ""</c> on tool calls and
/// streamed tool-call deltas without <c>index</c>. A cheap allocation-free scan decides whether anything needs repair,
/// so well-formed traffic is passed through untouched.
/// </summary>
internal static class WireJsonNormalizer
{
    [Flags]
    internal enum Findings
    {
        None = 0,
        Error = 1,
        BadFinishReason = 2,
        ToolCalls = 4,
        Finished = 8,
        Malformed = 16,
        ContentParts = 32,
        Reasoning = 64,
    }

    /// <summary>
    /// Reports what a JSON body contains, cheaply for the common case: a vectorized byte search
    /// (<see cref="TryScanFast"/>) clears bodies that carry nothing to repair, and only the rest get the precise
    /// tokenizing <see cref="ScanPrecisely"/>.
    /// </summary>
    public static Findings Scan(ReadOnlySpan<byte> json) =>
        TryScanFast(json, out var findings) ? findings : ScanPrecisely(json);

    /// <summary>
    /// Decides with vectorized <c>IndexOf</c> searches, without tokenizing, whether a body certainly needs no repair
    /// and carries no error. It returns <see langword="false"/> (the caller must use <see cref="ScanPrecisely"/>)
    /// when the body contains any marker that may need repair or signal an error: <c>"error"</c>, <c>tool_calls</c>,
    /// a <c>"content"</c> key whose value is an array, a <c>finish_reason</c> whose value is neither <c>null</c> nor a
    /// standard string, an escape that may spell a lowercase letter or underscore (which could spell any of those keys), or
    /// when it does not look like one JSON object (<c>{</c> ... <c>}</c>), so truncated or foreign data still gets the
    /// precise scan's <see cref="Findings.Malformed"/> verdict. Malformed JSON inside an object-shaped body is not
    /// detected here; the OpenAI SDK's parser rejects it and the adapter turns that into a <see cref="ProviderException"/>.
    /// </summary>
    /// <param name="json">The body or chunk.</param>
    /// <param name="findings">When cleared: <see cref="Findings.Finished"/> if a standard finish reason is present, and
    /// <see cref="Findings.Reasoning"/> if the bytes <c>reasoning_content</c> occur anywhere (a safe over-approximation).</param>
    internal static bool TryScanFast(ReadOnlySpan<byte> json, out Findings findings)
    {
        findings = Findings.None;
        var trimmed = json.Trim(" \t\r\n"u8);
        if (trimmed.Length < 2 || trimmed[0] != (byte)'{' || trimmed[^1] != (byte)'}'
            || json.IndexOf("\"error\""u8) >= 0
            || json.IndexOf("tool_calls"u8) >= 0
            || HasEscapedAsciiLetter(json)
            || HasArrayValuedKey(json, "\"content\""u8))
        {
            return false;
        }

        var rest = json;
        int at;
        while ((at = rest.IndexOf("\"finish_reason\""u8)) >= 0)
        {
            var value = SkipWhitespace(rest[(at + "\"finish_reason\"".Length)..]);
            if (value.IsEmpty || value[0] != (byte)':')
            {
                return false;
            }

            value = SkipWhitespace(value[1..]);
            if (value.StartsWith("null"u8))
            {
                rest = value[4..];
                continue;
            }

            if (value.IsEmpty || value[0] != (byte)'"')
            {
                return false;
            }

            var end = value[1..].IndexOf((byte)'"');
            if (end < 0 || !IsStandardFinishReason(value.Slice(1, end)))
            {
                return false; // also catches escapes: no standard reason contains a backslash
            }

            findings |= Findings.Finished;
            rest = value[(end + 2)..];
        }

        if (json.IndexOf("reasoning_content"u8) >= 0)
        {
            findings |= Findings.Reasoning;
        }

        return true;
    }

    private static ReadOnlySpan<byte> SkipWhitespace(ReadOnlySpan<byte> span) => span.TrimStart(" \t\r\n"u8);

    /// <summary>Whether <paramref name="quotedKey"/> occurs followed by <c>:</c> and an array, whitespace allowed.</summary>
    private static bool HasArrayValuedKey(ReadOnlySpan<byte> json, ReadOnlySpan<byte> quotedKey)
    {
        int at;
        while ((at = json.IndexOf(quotedKey)) >= 0)
        {
            json = SkipWhitespace(json[(at + quotedKey.Length)..]);
            if (!json.IsEmpty && json[0] == (byte)':')
            {
                json = SkipWhitespace(json[1..]);
                if (!json.IsEmpty && json[0] == (byte)'[')
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a <c>\u</c> escape may spell the underscore or a lowercase ASCII letter (U+0050 to U+007F), as a key or
    /// value written with escapes would need to (every key and value the markers look for is lowercase).
    /// </summary>
    private static bool HasEscapedAsciiLetter(ReadOnlySpan<byte> json)
    {
        // A single-byte search is the cheapest pass, and most chunks hold no backslash at all.
        int at;
        while ((at = json.IndexOf((byte)'\\')) >= 0)
        {
            json = json[(at + 1)..];
            if (json.Length >= 4 && json[0] == (byte)'u' && json[1] == (byte)'0' && json[2] == (byte)'0' && json[3] is (byte)'5' or (byte)'6' or (byte)'7')
            {
                return true;
            }

            if (!json.IsEmpty)
            {
                json = json[1..]; // skip the escaped character, so "\\u0065" (an escaped backslash) is not read as an escape
            }
        }

        return false;
    }

    /// <summary>Tokenizes a JSON body fully, without allocating, and reports what it contains.</summary>
    public static Findings ScanPrecisely(ReadOnlySpan<byte> json)
    {
        var findings = Findings.None;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var depth = reader.CurrentDepth;
                if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        findings |= Findings.Finished;
                        if (!IsStandardFinishReason(reader.ValueSpan) || reader.ValueIsEscaped)
                        {
                            findings |= Findings.BadFinishReason;
                        }
                    }
                }
                else if (reader.ValueTextEquals("tool_calls"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        findings |= Findings.ToolCalls;
                    }
                }
                else if (depth >= 3 && reader.ValueTextEquals("reasoning_content"u8))
                {
                    findings |= Findings.Reasoning;
                }
                else if (depth >= 3 && reader.ValueTextEquals("content"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        findings |= Findings.ContentParts;
                    }
                }
                else if (depth == 1 && reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    if (reader.TokenType is not JsonTokenType.Null)
                    {
                        findings |= Findings.Error;
                    }
                }
                else if (depth == 1 && reader.ValueTextEquals("object"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8))
                    {
                        findings |= Findings.Error;
                    }
                }
            }
        }
        catch (JsonException)
        {
            findings |= Findings.Malformed;
        }

        return findings;
    }

    /// <summary>
    /// Whether a whole body may hold a <c>reasoning_content</c> field: <see langword="false"/> only when it certainly
    /// does not, so the adapter can skip the OpenAI SDK's JSON-path lookup (microseconds and an allocation per call).
    /// A key spelled with escapes must contain <c>\u</c>, so such bodies count as maybe.
    /// </summary>
    internal static bool MayContainReasoning(ReadOnlySpan<byte> json) =>
        json.IndexOf("reasoning_content"u8) >= 0 || json.IndexOf("\\u"u8) >= 0;

    internal static bool IsStandardFinishReason(ReadOnlySpan<byte> value) =>
        value.SequenceEqual("stop"u8) || value.SequenceEqual("length"u8) || value.SequenceEqual("tool_calls"u8)
        || value.SequenceEqual("content_filter"u8) || value.SequenceEqual("function_call"u8);

    /// <summary>Maps a provider's finish reason to one the SDK knows; <see langword="null"/> for a blank one.</summary>
    internal static string? NormalizeFinishReason(string raw)
    {
        var value = raw.Trim().ToLowerInvariant();
        return value switch
        {
            "" => null,
            "stop" or "eos" or "eos_token" or "end_turn" or "stop_sequence" or "end" or "complete" or "finished" => "stop",
            "length" or "max_tokens" or "model_length" or "max_length" or "token_limit" => "length",
            "tool_calls" or "tool_use" or "tool_call" or "function_calls" => "tool_calls",
            "function_call" => "function_call",
            "content_filter" or "safety" or "recitation" or "blocklist" or "prohibited_content" or "spii" or "sensitive" => "content_filter",
            _ => "stop",
        };
    }

    /// <summary>Whether a raw finish reason says the provider itself failed (OpenRouter and others send <c>error</c>).</summary>
    internal static bool IsErrorFinishReason(string raw) =>
        raw.Trim().ToLowerInvariant() is "error" or "network_error" or "server_error" or "abort" or "aborted";

    /// <summary>Rewrites the body; returns the repaired JSON, or <see langword="null"/> when nothing had to change.</summary>
    /// <param name="json">The body or chunk.</param>
    /// <param name="streaming">Whether this is a stream chunk (deltas) rather than a whole response.</param>
    /// <param name="toolCallIndexes">The per-stream memory of tool-call ids to indexes; required when streaming.</param>
    /// <param name="errorFinishReason">Set to the raw finish reason when the provider reported its own failure through it.</param>
    /// <param name="providerName">The provider, for the repairs recorded on <see cref="CompatTelemetry"/>.</param>
    public static byte[]? Repair(ReadOnlySpan<byte> json, bool streaming, ToolCallIndexTracker? toolCallIndexes, out string? errorFinishReason, string providerName)
    {
        errorFinishReason = null;
        if (JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) is not JsonObject root
            || root["choices"] is not JsonArray choices)
        {
            return null;
        }

        var changed = false;
        foreach (var choice in choices.OfType<JsonObject>())
        {
            if (choice["finish_reason"] is JsonValue finish && finish.TryGetValue<string>(out var raw) && !IsStandardFinishReason(System.Text.Encoding.UTF8.GetBytes(raw)))
            {
                if (IsErrorFinishReason(raw))
                {
                    errorFinishReason = raw;
                    CompatTelemetry.WireRepair(providerName, CompatTelemetry.RepairErrorFinishReason);
                }

                var normalized = NormalizeFinishReason(raw);
                choice["finish_reason"] = normalized ?? (streaming ? null : "stop");
                if (!choice.ContainsKey("native_finish_reason"))
                {
                    choice["native_finish_reason"] = raw;
                }

                changed = true;
                CompatTelemetry.WireRepair(providerName, CompatTelemetry.RepairFinishReasonMapped);
            }
            else if (!streaming && choice["finish_reason"] is null)
            {
                // A whole response must say why it ended; the SDK throws on a missing one.
                choice["finish_reason"] = (choice["message"] as JsonObject)?["tool_calls"] is JsonArray { Count: > 0 } ? "tool_calls" : "stop";
                changed = true;
                CompatTelemetry.WireRepair(providerName, CompatTelemetry.RepairFinishReasonAdded);
            }

            var message = choice[streaming ? "delta" : "message"] as JsonObject;
            if (message?["tool_calls"] is JsonArray toolCalls)
            {
                changed |= RepairToolCalls(toolCalls, streaming ? toolCallIndexes : null, providerName);
            }

            if (message?["content"] is JsonArray parts)
            {
                FlattenContentParts(message, parts);
                CompatTelemetry.WireRepair(providerName, CompatTelemetry.RepairContentPartsFlattened);
                changed = true;
            }
        }

        return changed ? JsonSerializer.SerializeToUtf8Bytes(root, WireJsonContext.Default.JsonObject) : null;
    }

    /// <summary>
    /// Mistral's reasoning models answer with <c>content</c> as an array of parts, among them <c>thinking</c> parts the
    /// SDK cannot parse. Text parts become the content string and thinking parts the <c>reasoning_content</c> field,
    /// where every other provider's reasoning already travels.
    /// </summary>
    private static void FlattenContentParts(JsonObject message, JsonArray parts)
    {
        var text = new System.Text.StringBuilder();
        var thinking = new System.Text.StringBuilder();
        foreach (var part in parts.OfType<JsonObject>())
        {
            switch (part["type"]?.GetValue<string>())
            {
                case "text":
                    text.Append(part["text"]?.GetValue<string>());
                    break;
                case "thinking" when part["thinking"] is JsonArray inner:
                    foreach (var piece in inner.OfType<JsonObject>())
                    {
                        thinking.Append(piece["text"]?.GetValue<string>());
                    }

                    break;
                case "thinking":
                    thinking.Append(part["thinking"]?.GetValue<string>() ?? part["text"]?.GetValue<string>());
                    break;
            }
        }

        message["content"] = text.ToString();
        if (thinking.Length > 0 && message["reasoning_content"] is null)
        {
            message["reasoning_content"] = thinking.ToString();
        }
    }

    private static bool RepairToolCalls(JsonArray toolCalls, ToolCallIndexTracker? indexes, string providerName)
    {
        var changed = false;
        var position = 0;
        foreach (var call in toolCalls.OfType<JsonObject>())
        {
            if (call["type"] is JsonValue type && type.TryGetValue<string>(out var kind) && kind.Length == 0)
            {
                call["type"] = "function";
                changed = true;
                CompatTelemetry.WireRepair(providerName, CompatTelemetry.RepairToolCallTypeSet);
            }

            if (indexes is not null)
            {
                var id = call["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
                if (call["index"] is JsonValue indexValue && indexValue.TryGetValue<int>(out var index))
                {
                    indexes.Observe(id, index);
                }
                else
                {
                    call["index"] = indexes.Assign(id, position);
                    changed = true;
                    CompatTelemetry.WireRepair(providerName, CompatTelemetry.RepairToolCallIndexSynthesized);
                }
            }

            position++;
        }

        return changed;
    }
}

/// <summary>Remembers, for one stream, which index each tool-call id was given, so deltas without <c>index</c> are told apart.</summary>
internal sealed class ToolCallIndexTracker
{
    private readonly Dictionary<string, int> _byId = new(StringComparer.Ordinal);
    private int _next;
    private int _last = -1;

    public void Observe(string? id, int index)
    {
        if (id is not null)
        {
            _byId[id] = index;
        }

        _last = index;
        _next = Math.Max(_next, index + 1);
    }

    /// <summary>A delta with a new id starts a new call; one without an id continues the last call (or, in a chunk with several calls, the one at its position).</summary>
    public int Assign(string? id, int positionInChunk)
    {
        int index;
        if (id is not null)
        {
            if (!_byId.TryGetValue(id, out index))
            {
                index = _next++;
                _byId[id] = index;
            }
        }
        else
        {
            index = _last >= 0 ? _last + positionInChunk : positionInChunk;
            _next = Math.Max(_next, index + 1);
        }

        _last = id is null ? _last : index;
        if (_last < 0)
        {
            _last = index;
        }

        return index;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonObject))]
internal sealed partial class WireJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
