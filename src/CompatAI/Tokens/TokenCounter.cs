using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace CompatAI;

/// <summary>
/// Counts the tokens a prompt costs the way the model sees it, with Microsoft.ML.Tokenizers' tiktoken encodings: exact
/// for OpenAI model families (the encoding is chosen per model: <c>o200k_base</c> for gpt-4o, gpt-4.1, gpt-5, o-series
/// and gpt-oss; <c>cl100k_base</c> for gpt-4, gpt-3.5-turbo and the text-embedding models), an estimate marked as such
/// for every other model.
/// </summary>
/// <remarks>
/// Chat prompts follow the rule OpenAI publishes in its cookbook ("How to count tokens with tiktoken"): 3 tokens per
/// message plus its role, content and name (a name costs 1 more), 3 tokens priming the reply, and for tool definitions
/// 7 (o200k) or 10 (cl100k) tokens per function plus its "name:description" line, 3 to open its properties, 3 plus
/// "name:type:description" per property, 3 per enum value plus the value, minus 3 per enum, and 12 after the functions.
/// Images follow OpenAI's published cost rule for the model family (<c>Tokens/Data/image-tokens.json</c>: 512-pixel tiles
/// for gpt-4o, gpt-4.1, gpt-4.5 and o1/o3, 32-pixel patches for gpt-4.1-mini/nano and o4-mini), with the size read from
/// the image's header (PNG, JPEG, GIF, WebP) and the detail from the content's <c>"detail"</c> additional property (as
/// Microsoft.Extensions.AI.OpenAI sends it); the count stays exact only for a tile rule with a known size and an explicit
/// <c>low</c> or <c>high</c> detail. Tool calls and tool results have no published rule: they are counted as their text
/// and the count is marked as an estimate. Instances are thread-safe and cached per encoding.
/// </remarks>
public sealed partial class TokenCounter
{
    private const string O200kBase = "o200k_base";
    private const string Cl100kBase = "cl100k_base";

    /// <summary>Texts shorter than this are counted every time; longer ones are remembered (see <see cref="CountTokens"/>).</summary>
    private const int CachedTextLength = 256;

    /// <summary>
    /// One tokenizer per encoding. Loading one reads and parses its vocabulary (about a second); the lazy value makes the
    /// callers that need it at the same moment wait for one load instead of each loading its own.
    /// </summary>
    private static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> s_tokenizers = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts of long texts per encoding, keyed by the string instance and dropped with it. A chat history sends the same
    /// message strings on every turn, so only the new messages of a growing conversation are tokenized again.
    /// </summary>
    private static readonly ConcurrentDictionary<string, System.Runtime.CompilerServices.ConditionalWeakTable<string, System.Runtime.CompilerServices.StrongBox<int>>> s_counts = new(StringComparer.Ordinal);

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, System.Runtime.CompilerServices.StrongBox<int>> _counts;

    // Role names are few and short but counted once per message: their counts are remembered per encoding, by value,
    // up to MaxRememberedRoles names (a caller inventing roles cannot grow it without bound).
    private const int MaxRememberedRoles = 32;
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, int>> s_roleCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _roleCounts;

    private readonly Tokenizer _tokenizer;
    private readonly bool _isO200k;

    /// <summary>The model family's image cost rule; <see langword="null"/> when it has none (the gpt-4o rule is used as an estimate).</summary>
    private readonly ImageTokenRule? _imageRule;

    private TokenCounter(string modelId, string bareModelId, string encoding, bool isExact)
    {
        _imageRule = ImageTokenRule.ForModel(bareModelId);
        ModelId = modelId;
        Encoding = encoding;
        IsExact = isExact;
        _isO200k = encoding == O200kBase;
        _tokenizer = s_tokenizers.GetOrAdd(encoding, static name => new Lazy<Tokenizer>(() => TiktokenTokenizer.CreateForEncoding(name), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
        _counts = s_counts.GetOrAdd(encoding, static _ => []);
        _roleCounts = s_roleCounts.GetOrAdd(encoding, static _ => new ConcurrentDictionary<string, int>(StringComparer.Ordinal));
    }

    /// <summary>Gets the model id the counter was made for.</summary>
    public string ModelId { get; }

    /// <summary>Gets the tiktoken encoding used, <c>o200k_base</c> or <c>cl100k_base</c>.</summary>
    public string Encoding { get; }

    /// <summary>Gets whether the model's own tokenizer is used (an OpenAI model family); otherwise every count is an estimate.</summary>
    public bool IsExact { get; }

    /// <summary>Returns a counter for <paramref name="modelId"/>; a provider prefix such as <c>openai/</c> (OpenRouter) is ignored.</summary>
    /// <param name="modelId">The model id, for example <c>gpt-4o-mini</c> or <c>openai/gpt-4.1</c>.</param>
    /// <returns>The counter.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is empty.</exception>
    public static TokenCounter ForModel(string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        var name = modelId.Trim();
        var slash = name.LastIndexOf('/');
        var bare = slash >= 0 ? name[(slash + 1)..] : name;
        if (O200kModels().IsMatch(bare))
        {
            return new TokenCounter(modelId, bare, O200kBase, isExact: true);
        }

        if (Cl100kModels().IsMatch(bare))
        {
            return new TokenCounter(modelId, bare, Cl100kBase, isExact: true);
        }

        return new TokenCounter(modelId, bare, O200kBase, isExact: false);
    }

    /// <summary>Counts the tokens of a plain text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The count.</returns>
    public TokenCount CountText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TokenCount(CountTokens(text), !IsExact, Encoding);
    }

    /// <summary>Counts a chat prompt: its messages with the chat format's overhead and the reply priming, and the tool definitions in <paramref name="options"/>.</summary>
    /// <param name="messages">The messages, as they will be sent.</param>
    /// <param name="options">The options whose <see cref="ChatOptions.Tools"/> are counted; <see langword="null"/> for none.</param>
    /// <returns>The count.</returns>
    public TokenCount CountChat(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Measure(messages, options, Measurement.Count);
    }

    /// <summary>
    /// A bound that the count of <see cref="CountChat"/> never exceeds, without tokenizing: every text counts its UTF-8
    /// byte length, since a byte-level BPE token always covers at least one byte. It costs one pass over the text and no
    /// tokenizer, so a check that only needs "fits within N tokens" can skip the count when the bound already fits.
    /// </summary>
    internal int CountChatUpperBound(IEnumerable<ChatMessage> messages, ChatOptions? options = null) =>
        Measure(messages, options, Measurement.UpperBound).Tokens;

    /// <summary>
    /// An estimate of <see cref="CountChat"/> without tokenizing: the same rule (per-message overhead, role names' counts,
    /// images by their rule, tool definitions' overhead), with every text counted as its UTF-8 byte length divided by 4,
    /// rounded up. For a ranking by price, not for a limit or a bill (see the routing docs for how far it is from the count).
    /// </summary>
    internal int EstimateChatFromSize(IEnumerable<ChatMessage> messages, ChatOptions? options = null) =>
        Measure(messages, options, Measurement.SizeEstimate).Tokens;

    private TokenCount Measure(IEnumerable<ChatMessage> messages, ChatOptions? options, Measurement mode)
    {
        var estimate = !IsExact;
        var tokens = 3; // every reply is primed with <|start|>assistant<|message|>

        // Lists (what callers pass almost always) are walked by index: no enumerator is allocated.
        if (messages is IList<ChatMessage> list)
        {
            for (int i = 0; i < list.Count; i++)
            {
                tokens += MeasureMessage(list[i], mode, ref estimate);
            }
        }
        else
        {
            foreach (var message in messages)
            {
                tokens += MeasureMessage(message, mode, ref estimate);
            }
        }

        if (options?.Tools is { Count: > 0 } tools)
        {
            var functions = tools.OfType<AIFunctionDeclaration>().ToList();
            estimate |= functions.Count != tools.Count;
            tokens += CountTools(functions, mode);
        }

        return new TokenCount(tokens, estimate, Encoding);
    }

    private int MeasureMessage(ChatMessage message, Measurement mode, ref bool estimate)
    {
        var tokens = 3 + (mode == Measurement.UpperBound ? System.Text.Encoding.UTF8.GetByteCount(message.Role.Value) : CountRole(message.Role.Value));
        if (!string.IsNullOrEmpty(message.AuthorName))
        {
            tokens += Count(mode, message.AuthorName) + 1;
        }

        var contents = message.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent text:
                    tokens += Count(mode, text.Text);
                    break;
                case FunctionCallContent call:
                    tokens += Count(mode, call.Name) + Count(mode, JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))));
                    estimate = true;
                    break;
                case FunctionResultContent result:
                    tokens += Count(mode, result.Result as string ?? JsonSerializer.Serialize(result.Result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.Result?.GetType() ?? typeof(object))));
                    estimate = true;
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    tokens += CountImage(data.Data.Span, data.AdditionalProperties, ref estimate);
                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    tokens += CountImage(default, uri.AdditionalProperties, ref estimate);
                    break;
                case TextReasoningContent:
                    // Reasoning from earlier turns is not sent back to OpenAI models on Chat Completions.
                    break;
                default:
                    estimate = true;
                    break;
            }
        }

        return tokens;
    }

    private int CountTools(List<AIFunctionDeclaration> functions, Measurement mode)
    {
        if (functions.Count == 0)
        {
            return 0;
        }

        var tokens = 0;
        foreach (var function in functions)
        {
            tokens += (_isO200k ? 7 : 10) + Count(mode, function.Name + ":" + TrimPeriod(function.Description));
            if (function.JsonSchema.ValueKind != JsonValueKind.Object
                || !function.JsonSchema.TryGetProperty("properties", out var properties)
                || properties.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var first = true;
            foreach (var property in properties.EnumerateObject())
            {
                if (first)
                {
                    tokens += 3;
                    first = false;
                }

                tokens += 3;
                var type = property.Value.TryGetProperty("type", out var t) ? (t.ValueKind == JsonValueKind.String ? t.GetString() : t.GetRawText()) : string.Empty;
                var description = property.Value.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : string.Empty;
                if (property.Value.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array)
                {
                    tokens -= 3;
                    foreach (var value in values.EnumerateArray())
                    {
                        tokens += 3 + Count(mode, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
                    }
                }

                tokens += Count(mode, $"{property.Name}:{type}:{TrimPeriod(description)}");
            }
        }

        return tokens + 12;
    }

    /// <summary>An image's cost by the model family's rule; sets <paramref name="estimate"/> unless the rule gives it exactly.</summary>
    private int CountImage(ReadOnlySpan<byte> data, AdditionalPropertiesDictionary? properties, ref bool estimate)
    {
        var rule = _imageRule ?? ImageTokenRule.Fallback;
        var detail = properties?.TryGetValue("detail", out var value) is true ? value?.ToString() : null;
        var low = string.Equals(detail, "low", StringComparison.OrdinalIgnoreCase);
        var explicitDetail = low || string.Equals(detail, "high", StringComparison.OrdinalIgnoreCase);
        if (!ImageDimensions.TryRead(data, out var width, out var height))
        {
            estimate |= !(rule.UsesDetail && low && _imageRule is not null);
            return rule.CostOfUnknownSize(low);
        }

        // Exact only where OpenAI publishes the whole rule: tiles at an explicit detail. The patch rule's rounding and
        // what "auto" picks are not published.
        estimate |= _imageRule is null || !rule.UsesDetail || !explicitDetail;
        return rule.Cost(width, height, low);
    }

    private static string TrimPeriod(string? text) => text is null ? string.Empty : text.EndsWith('.') ? text[..^1] : text;

    private int Count(Measurement mode, string text) => mode switch
    {
        Measurement.UpperBound => System.Text.Encoding.UTF8.GetByteCount(text),
        Measurement.SizeEstimate => (System.Text.Encoding.UTF8.GetByteCount(text) + 3) / 4,
        _ => CountTokens(text),
    };

    private int CountRole(string role)
    {
        if (_roleCounts.TryGetValue(role, out var known))
        {
            return known;
        }

        var count = CountTokens(role);
        if (_roleCounts.Count < MaxRememberedRoles)
        {
            _roleCounts.TryAdd(role, count);
        }

        return count;
    }

    private int CountTokens(string text)
    {
        if (text.Length < CachedTextLength)
        {
            return text.Length == 0 ? 0 : _tokenizer.CountTokens(text);
        }

        if (_counts.TryGetValue(text, out var known))
        {
            return known.Value;
        }

        var count = _tokenizer.CountTokens(text);
        _counts.AddOrUpdate(text, new System.Runtime.CompilerServices.StrongBox<int>(count));
        return count;
    }

    /// <summary>How <see cref="Measure"/> counts a text: tokenized, its UTF-8 bytes (a bound), or its UTF-8 bytes / 4 (an estimate).</summary>
    private enum Measurement
    {
        Count,
        UpperBound,
        SizeEstimate,
    }

    [GeneratedRegex(@"^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|gpt-oss)(?:$|[-.:])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex O200kModels();

    [GeneratedRegex(@"^(?:gpt-4|gpt-3\.5-turbo|gpt-35-turbo|text-embedding-3-small|text-embedding-3-large|text-embedding-ada-002)(?:$|[-.:])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Cl100kModels();
}
