using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using CompatAI;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI;

/// <summary>
/// Turns every provider's way of returning reasoning into <see cref="TextReasoningContent"/>, never leaving reasoning in
/// <see cref="TextContent"/> and never taking it twice: the <c>reasoning_content</c>, <c>reasoning</c> and
/// <c>reasoning_details</c> fields, Mistral thinking parts (which the adapter's wire normalizer turns into
/// <c>reasoning_content</c>), and tags such as <c>&lt;think&gt;</c> inside the content
/// (also when streamed, with tags split across chunks). It also surfaces provider citations as
/// <see cref="CitationAnnotation"/> and provider usage counters in <see cref="UsageDetails.AdditionalCounts"/>, and, on
/// the way out, replays or strips reasoning on assistant messages as the provider requires.
/// </summary>
public sealed class ReasoningExtractingChatClient : DelegatingChatClient
{
    private readonly ReasoningExtractionOptions _options;
    private readonly QuirkResolver _quirks;
    private readonly ConditionalWeakTable<ProviderQuirks, Settings> _settings = new();

    /// <summary>Creates the client.</summary>
    /// <param name="innerClient">The client to wrap; its <see cref="ProviderProfile"/> (from <c>GetService</c>) supplies defaults.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public ReasoningExtractingChatClient(IChatClient innerClient, ReasoningExtractionOptions? options = null)
        : this(innerClient, (ProviderProfile?)null, options)
    {
    }

    /// <summary>Creates the client for a provider profile.</summary>
    /// <param name="innerClient">The client to wrap.</param>
    /// <param name="profile">The provider whose rules apply; when <see langword="null"/>, the profile the inner client reports through <c>GetService(typeof(ProviderProfile))</c>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public ReasoningExtractingChatClient(IChatClient innerClient, ProviderProfile? profile, ReasoningExtractionOptions? options = null)
        : base(innerClient)
    {
        _options = options ?? new ReasoningExtractionOptions();
        _quirks = new QuirkResolver(innerClient, explicitProfile: profile);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ProviderProfile) && _quirks.Profile is { } profile ? profile : base.GetService(serviceType, serviceKey);

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var settings = SettingsFor(options);
        var response = await base.GetResponseAsync(PrepareMessages(messages, settings, options), options, cancellationToken).ConfigureAwait(false);
        var completion = response.RawRepresentation as ChatCompletion;
        for (int i = 0; i < response.Messages.Count; i++)
        {
            var message = response.Messages[i];
            if (message.Role != ChatRole.Assistant)
            {
                continue;
            }

            ExtractFromMessage(message, message.RawRepresentation as ChatCompletion ?? completion, settings);
        }

        if (completion is not null)
        {
            if (settings.CitationPaths.Length > 0)
            {
                AddCitations(response.Messages, completion, settings);
            }

            if (response.Usage is { } usage && completion.Usage is { } rawUsage && settings.UsageFields.Length > 0)
            {
                response.AdditionalProperties = AddUsageFields(usage, ref rawUsage.Patch, settings, response.AdditionalProperties);
            }
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var settings = SettingsFor(options);
        var state = new StreamState(settings, _options.Mode, settings.DetectUntaggedAtStart);
        ChatResponseUpdate? last = null;

        // Enumerated by hand so that text held back (while deciding whether untagged reasoning starts the stream) is
        // released before a failure surfaces: C# cannot yield inside a try with a catch clause.
        ExceptionDispatchInfo? failure = null;
        var updates = base.GetStreamingResponseAsync(PrepareMessages(messages, settings, options), options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                    break;
                }

                var update = updates.Current;
                state.Process(update);
                last = update;
                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }

        if (state.Finish(last) is { } tail)
        {
            yield return tail;
        }

        failure?.Throw();
    }

    private Settings SettingsFor(ChatOptions? options)
    {
        var quirks = _quirks.QuirksFor(options);
        return _settings.TryGetValue(quirks, out var settings) ? settings : _settings.GetValue(quirks, q => new Settings(_options, q));
    }

    private static void ExtractFromMessage(AIChatMessage message, ChatCompletion? completion, Settings settings)
    {
        bool hasReasoning = message.Contents.Any(static c => c is TextReasoningContent);
        var contents = new List<AIContent>(message.Contents.Count + 1);
        string? fieldReasoning = null;
        if (!hasReasoning && completion is not null)
        {
            fieldReasoning = settings.ReadMessageReasoning(completion);
        }

        StringBuilder? tagText = null;
        StringBuilder? tagReasoning = null;
        foreach (var content in message.Contents)
        {
            if (content is TextContent text && settings.TagNames.Length > 0 && text.Text is { Length: > 0 } raw && raw.Contains('<', StringComparison.Ordinal))
            {
                (tagText ??= new StringBuilder()).Clear();
                (tagReasoning ??= new StringBuilder()).Clear();
                var parser = new ThinkTagParser(settings.TagNames, untaggedReasoningAtStart: true);
                parser.Feed(raw, tagText, tagReasoning);
                parser.Complete(tagText, tagReasoning);
                if (!parser.SawTag)
                {
                    contents.Add(content);
                    continue;
                }

                if (tagReasoning.Length > 0 && !hasReasoning && fieldReasoning is null)
                {
                    contents.Add(new TextReasoningContent(tagReasoning.ToString()));
                }

                if (tagText.Length > 0)
                {
                    contents.Add(new TextContent(tagText.ToString()) { Annotations = text.Annotations, AdditionalProperties = text.AdditionalProperties });
                }

                continue;
            }

            contents.Add(content);
        }

        if (fieldReasoning is { Length: > 0 })
        {
            contents.Insert(0, new TextReasoningContent(fieldReasoning));
        }

        ApplyMode(contents, settings.Mode);
        message.Contents = contents;
    }

    private static void ApplyMode(List<AIContent> contents, ReasoningOutputMode mode)
    {
        if (mode == ReasoningOutputMode.Drop)
        {
            contents.RemoveAll(static c => c is TextReasoningContent);
        }
        else if (mode == ReasoningOutputMode.AnswerWhenContentEmpty && !contents.Any(static c => c is TextContent t && !string.IsNullOrWhiteSpace(t.Text)))
        {
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is TextReasoningContent r && !string.IsNullOrEmpty(r.Text))
                {
                    contents[i] = new TextContent(r.Text);
                }
            }
        }
    }

    private static void AddCitations(IList<AIChatMessage> messages, ChatCompletion completion, Settings settings)
    {
        var citations = settings.ReadCitations(ref completion.Patch);
        if (citations.Count == 0)
        {
            return;
        }

        var message = messages.LastOrDefault(static m => m.Role == ChatRole.Assistant);
        if (message is null)
        {
            return;
        }

        AttachCitations(message.Contents, citations, seen: null);
    }

    private static void AttachCitations(IList<AIContent> contents, List<CitationAnnotation> citations, HashSet<string>? seen)
    {
        var host = contents.LastOrDefault(static c => c is TextContent) as TextContent;
        if (host is null)
        {
            host = new TextContent(string.Empty);
            contents.Add(host);
        }

        host.Annotations ??= [];
        var known = new HashSet<string>(host.Annotations.OfType<CitationAnnotation>().Select(static a => a.Url?.ToString() ?? string.Empty), StringComparer.Ordinal);
        foreach (var citation in citations)
        {
            string key = citation.Url?.ToString() ?? citation.Title ?? string.Empty;
            if (known.Add(key) && (seen is null || seen.Add(key)))
            {
                host.Annotations.Add(citation);
            }
        }
    }

    private static AdditionalPropertiesDictionary? AddUsageFields(UsageDetails usage, ref JsonPatch usagePatch, Settings settings, AdditionalPropertiesDictionary? properties)
    {
        for (int i = 0; i < settings.UsageFields.Length; i++)
        {
            if (!RawJson.TryGet(ref usagePatch, settings.UsagePaths[i], out var json))
            {
                continue;
            }

            var reader = new Utf8JsonReader(json.Span);
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
            {
                continue;
            }

            string name = settings.UsageFields[i];
            bool isMoney = name.Contains("cost", StringComparison.OrdinalIgnoreCase) && !name.EndsWith("ticks", StringComparison.OrdinalIgnoreCase);
            if (!isMoney && reader.TryGetInt64(out long count))
            {
                if (name == settings.CachedInputTokensField && usage.CachedInputTokenCount is null or 0)
                {
                    usage.CachedInputTokenCount = count;
                }

                (usage.AdditionalCounts ??= [])[name] = count;
            }
            else if (reader.TryGetDouble(out double value))
            {
                (properties ??= [])[name] = value;
            }
        }

        return properties;
    }

    private IEnumerable<AIChatMessage> PrepareMessages(IEnumerable<AIChatMessage> messages, Settings settings, ChatOptions? options) =>
        settings.Replay switch
        {
            // Replay is a thinking-mode rule: a request that switches thinking off sends no reasoning back.
            ReasoningReplay.Required when HasToolCallTurn(messages) && ThinkingSwitch.IsDisabled(options, this) => messages,
            ReasoningReplay.Required => ReasoningReplayWriter.Replay(messages, settings.ReplayField, settings.MissingReasoningPlaceholder),
            ReasoningReplay.Rejected => ReasoningReplayWriter.Strip(messages, settings.ReplayField),
            _ => messages,
        };

    private static bool HasToolCallTurn(IEnumerable<AIChatMessage> messages) =>
        messages.Any(static m => m.Role == ChatRole.Assistant && m.Contents.Any(static c => c is FunctionCallContent));

    /// <summary>The options resolved against one set of provider quirks, with JSON paths encoded once.</summary>
    internal sealed class Settings
    {
        public Settings(ReasoningExtractionOptions options, ProviderQuirks quirks)
        {
            Mode = options.Mode;
            var fields = options.Fields?.ToArray() ?? quirks.ReasoningFields?.ToArray() ?? ReasoningExtractionOptions.DefaultFields;
            MessagePaths = [.. fields.Select(f => RawJson.Path("$.choices[0].message." + f))];
            FieldNames = [.. fields.Select(RawJson.Path)];
            DeltaPaths = [.. fields.Select(f => RawJson.Path("$.choices[0].delta." + f))];
            TagNames = options.TagNames?.ToArray() ?? quirks.ReasoningTags?.ToArray() ?? ReasoningExtractionOptions.DefaultTags;
            DetectUntaggedAtStart = options.DetectUntaggedReasoningAtStart ?? quirks.UntaggedReasoningAtStart ?? false;
            Replay = options.Replay ?? quirks.ReasoningReplay ?? ReasoningReplay.None;
            ReplayField = options.ReplayField ?? quirks.ReasoningReplayField ?? "reasoning_content";
            MissingReasoningPlaceholder = !options.FillMissingReasoning ? null
                : options.MissingReasoningPlaceholder ?? (ReplayField == "reasoning_details" ? null : ReasoningExtractionOptions.DefaultMissingReasoningPlaceholder);
            // With a profile, only the fields it names are read (each read costs a walk of the raw JSON); without one, all known ones.
            bool hasProfile = !ReferenceEquals(quirks, QuirkResolver.None);
            var citationFields = options.CitationFields?.ToArray() ?? quirks.CitationFields?.ToArray() ?? (hasProfile ? [] : ReasoningExtractionOptions.DefaultCitationFields);
            CitationPaths = [.. citationFields.Select(f => RawJson.Path("$." + f))];
            UsageFields = options.UsageFields?.ToArray() ?? quirks.UsageFields?.ToArray() ?? (hasProfile ? [] : ReasoningExtractionOptions.DefaultUsageFields);
            CachedInputTokensField = quirks.CachedInputTokensField;
            if (CachedInputTokensField is { } cached && !UsageFields.Contains(cached, StringComparer.Ordinal))
            {
                UsageFields = [.. UsageFields, cached];
            }

            UsagePaths = [.. UsageFields.Select(f => RawJson.Path("$." + f))];
        }

        public ReasoningOutputMode Mode { get; }

        public byte[][] MessagePaths { get; }

        public byte[][] DeltaPaths { get; }

        /// <summary>The reasoning field names, UTF-8 encoded.</summary>
        public byte[][] FieldNames { get; }

        public string[] TagNames { get; }

        /// <summary>Whether the start of a stream is held back until an orphan closing tag (or anything else) decides it.</summary>
        public bool DetectUntaggedAtStart { get; }

        public ReasoningReplay Replay { get; }

        public string ReplayField { get; }

        /// <summary>What is replayed on a tool-call message without reasoning; <see langword="null"/> for nothing.</summary>
        public string? MissingReasoningPlaceholder { get; }

        public byte[][] CitationPaths { get; }

        public string[] UsageFields { get; }

        /// <summary>The usage field (also in <see cref="UsageFields"/>) whose count becomes <see cref="UsageDetails.CachedInputTokenCount"/> when that is unset.</summary>
        public string? CachedInputTokensField { get; }

        public byte[][] UsagePaths { get; }

        /// <remarks>A profile that names no reasoning fields (OpenAI's Chat Completions returns none) costs no lookup.</remarks>
        public string? ReadMessageReasoning(ChatCompletion completion) =>
            MessagePaths.Length > 0 && MayHaveMessageFields(ref completion.Patch) ? ReadFirst(ref completion.Patch, MessagePaths) : null;

        /// <summary>
        /// Returns <see langword="false"/> only when no reasoning field can be found: none was patched in, and the
        /// message's JSON (read with one path walk instead of one per field) has no property of those names.
        /// </summary>
        private bool MayHaveMessageFields(ref JsonPatch patch)
        {
            foreach (var path in MessagePaths)
            {
                if (patch.Contains(path))
                {
                    return true;
                }
            }

            return !RawJson.TryGet(ref patch, "$.choices[0].message"u8, out var message) || RawJson.HasAnyProperty(message.Span, FieldNames);
        }

        /// <summary>Reads a delta's reasoning field; once one field has been found in a stream, only that one is read.</summary>
        public string? ReadDeltaReasoning(StreamingChatCompletionUpdate update, ref int foundField)
        {
            if (foundField >= 0)
            {
                return RawJson.TryGet(ref update.Patch, DeltaPaths[foundField], out var json) ? RawJson.ReadReasoning(json.Span) : null;
            }

            for (int i = 0; i < DeltaPaths.Length; i++)
            {
                if (RawJson.TryGet(ref update.Patch, DeltaPaths[i], out var json) && RawJson.ReadReasoning(json.Span) is { } text)
                {
                    foundField = i;
                    return text;
                }
            }

            return null;
        }

        public List<CitationAnnotation> ReadCitations(ref JsonPatch patch)
        {
            var result = new List<CitationAnnotation>();
            foreach (var path in CitationPaths)
            {
                if (RawJson.TryGet(ref patch, path, out var json))
                {
                    CitationReader.Read(json.Span, result);
                }
            }

            return result;
        }

        private static string? ReadFirst(ref JsonPatch patch, byte[][] paths)
        {
            foreach (var path in paths)
            {
                if (RawJson.TryGet(ref patch, path, out var json) && RawJson.ReadReasoning(json.Span) is { } text)
                {
                    return text;
                }
            }

            return null;
        }
    }

    /// <summary>The per-stream state: the tag parser, held reasoning, seen citations and whether the adapter already maps reasoning.</summary>
    private sealed class StreamState
    {
        private readonly Settings _settings;
        private readonly ReasoningOutputMode _mode;
        private readonly ThinkTagParser? _parser;
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _reasoning = new();
        private readonly StringBuilder _heldReasoning = new();
        private readonly HashSet<string> _citations = new(StringComparer.Ordinal);
        private bool _sawAnswerText;
        private int _foundField = -1;

        public StreamState(Settings settings, ReasoningOutputMode mode, bool holdStart)
        {
            _settings = settings;
            _mode = mode;
            if (settings.TagNames.Length > 0)
            {
                _parser = new ThinkTagParser(settings.TagNames, holdStart);
            }
        }

        public void Process(ChatResponseUpdate update)
        {
            var raw = update.RawRepresentation as StreamingChatCompletionUpdate;
            var contents = update.Contents;
            bool hasReasoning = false;
            bool hasText = false;
            bool hasAnswerText = false;
            bool passThrough = true;
            for (int i = 0; i < contents.Count; i++)
            {
                var content = contents[i];
                hasReasoning |= content is TextReasoningContent;
                if (content is TextContent text)
                {
                    hasText = true;
                    hasAnswerText |= !string.IsNullOrWhiteSpace(text.Text);
                    passThrough &= _parser?.CanPassThrough(text.Text) ?? true;
                }
            }

            if (!hasReasoning && !hasText && raw is null)
            {
                return;
            }

            // Reasoning fields precede the answer: once answer text has started without any, they are not looked for
            // again (each look walks the chunk's JSON). After one was found, only that one is read.
            bool lookForFields = !hasReasoning && raw is not null && (_foundField >= 0 || !_sawAnswerText);
            string? fieldReasoning = lookForFields ? _settings.ReadDeltaReasoning(raw!, ref _foundField) : null;
            if (hasReasoning || !string.IsNullOrEmpty(fieldReasoning))
            {
                // Reasoning arrives in its own field: the content is the answer, not untagged reasoning.
                _parser?.StopUntaggedDetection(_text);
            }

            if (!hasReasoning && string.IsNullOrEmpty(fieldReasoning) && passThrough
                && _text.Length == 0 && _reasoning.Length == 0 && _heldReasoning.Length == 0)
            {
                // The common case: plain answer text and nothing to extract. The update goes on untouched.
                _sawAnswerText |= hasAnswerText;

                AddRawExtras(update, raw, contents);
                return;
            }

            var output = new List<AIContent>(contents.Count + 1);
            if (!string.IsNullOrEmpty(fieldReasoning))
            {
                _reasoning.Append(fieldReasoning);
            }

            foreach (var content in contents)
            {
                switch (content)
                {
                    case TextReasoningContent reasoning:
                        _reasoning.Append(reasoning.Text);
                        break;
                    case TextContent text when _parser is not null:
                        _parser.Feed(text.Text, _text, _reasoning);
                        break;
                    case TextContent text:
                        _text.Append(text.Text);
                        break;
                    default:
                        output.Add(content);
                        break;
                }
            }

            Flush(output, final: false);
            AddRawExtras(update, raw, output);
            update.Contents = output;
        }

        private void AddRawExtras(ChatResponseUpdate update, StreamingChatCompletionUpdate? raw, IList<AIContent> contents)
        {
            if (raw is null)
            {
                return;
            }

            if (_settings.CitationPaths.Length > 0)
            {
                var citations = _settings.ReadCitations(ref raw.Patch);
                if (citations.Count > 0)
                {
                    AttachCitations(contents, citations, _citations);
                }
            }

            if (raw.Usage is { } rawUsage && _settings.UsageFields.Length > 0 && contents.OfType<UsageContent>().FirstOrDefault() is { } usageContent)
            {
                update.AdditionalProperties = AddUsageFields(usageContent.Details, ref rawUsage.Patch, _settings, update.AdditionalProperties);
            }
        }

        public ChatResponseUpdate? Finish(ChatResponseUpdate? last)
        {
            _parser?.Complete(_text, _reasoning);
            var output = new List<AIContent>();
            Flush(output, final: true);
            if (output.Count == 0)
            {
                return null;
            }

            return new ChatResponseUpdate(ChatRole.Assistant, output)
            {
                ResponseId = last?.ResponseId,
                MessageId = last?.MessageId,
                ModelId = last?.ModelId,
                CreatedAt = last?.CreatedAt,
            };
        }

        private void Flush(List<AIContent> output, bool final)
        {
            int insertAt = 0;
            if (_reasoning.Length > 0)
            {
                switch (_mode)
                {
                    case ReasoningOutputMode.Separate:
                        output.Insert(insertAt++, new TextReasoningContent(_reasoning.ToString()));
                        break;
                    case ReasoningOutputMode.AnswerWhenContentEmpty when _sawAnswerText:
                        output.Insert(insertAt++, new TextReasoningContent(_reasoning.ToString()));
                        break;
                    case ReasoningOutputMode.AnswerWhenContentEmpty:
                        _heldReasoning.Append(_reasoning);
                        break;
                }

                _reasoning.Clear();
            }

            if (_text.Length > 0)
            {
                if (!_sawAnswerText && !IsWhitespace(_text))
                {
                    _sawAnswerText = true;
                    if (_heldReasoning.Length > 0)
                    {
                        output.Insert(insertAt++, new TextReasoningContent(_heldReasoning.ToString()));
                        _heldReasoning.Clear();
                    }
                }

                output.Insert(insertAt, new TextContent(_text.ToString()));
                _text.Clear();
            }

            if (final && _heldReasoning.Length > 0)
            {
                // The answer stayed empty: the reasoning is the answer.
                output.Add(new TextContent(_heldReasoning.ToString()));
                _heldReasoning.Clear();
            }
        }

        private static bool IsWhitespace(StringBuilder builder)
        {
            for (int i = 0; i < builder.Length; i++)
            {
                if (!char.IsWhiteSpace(builder[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
