using System.Text;

namespace CompatAI;

/// <summary>
/// A streaming state machine that splits content into answer text and reasoning wrapped in tags such as
/// <c>&lt;think&gt;…&lt;/think&gt;</c>. Tags are matched case-insensitively and may be split across any chunk boundary;
/// the result depends only on the concatenated input, never on how it was chunked.
/// </summary>
/// <remarks>
/// Rules: the content of a tag pair is reasoning; whitespace right after an opening or closing tag is dropped; a closing
/// tag with no opening tag either turns everything before it into reasoning (when <c>untaggedReasoningAtStart</c> is set
/// and nothing has been decided yet) or is removed; a nested opening tag is removed; an unclosed tag at the end leaves its
/// content as reasoning. Tags never reach the output.
/// </remarks>
internal sealed class ThinkTagParser
{
    private readonly string[] _openTags;
    private readonly string[] _closeTags;
    private readonly char[] _pending;
    private readonly StringBuilder? _held;
    private int _pendingLength;
    private State _state;
    private bool _skipWhitespace;

    public ThinkTagParser(IReadOnlyList<string> tagNames, bool untaggedReasoningAtStart)
    {
        ArgumentNullException.ThrowIfNull(tagNames);
        if (tagNames.Count == 0)
        {
            throw new ArgumentException("At least one reasoning tag name is required.", nameof(tagNames));
        }

        _openTags = new string[tagNames.Count];
        _closeTags = new string[tagNames.Count];
        int longest = 0;
        for (int i = 0; i < tagNames.Count; i++)
        {
            string name = tagNames[i];
            if (string.IsNullOrWhiteSpace(name) || name.AsSpan().IndexOfAny('<', '>', '/') >= 0 || name.AsSpan().ContainsAny(" \t\r\n"))
            {
                throw new ArgumentException($"'{name}' is not a valid reasoning tag name: use a bare name such as 'think'.", nameof(tagNames));
            }

            _openTags[i] = "<" + name + ">";
            _closeTags[i] = "</" + name + ">";
            longest = Math.Max(longest, _closeTags[i].Length);
        }

        _pending = new char[longest];
        if (untaggedReasoningAtStart)
        {
            _held = new StringBuilder();
            _state = State.Undecided;
        }
        else
        {
            _state = State.Text;
        }
    }

    private enum State
    {
        Undecided,
        Text,
        Reasoning,
    }

    /// <summary>
    /// Returns whether <paramref name="chunk"/> would come out unchanged as answer text: no partial tag is pending, no
    /// whitespace is being skipped, the parser is in answer text and the chunk has no <c>&lt;</c>. The caller may then
    /// pass the chunk on as it is instead of feeding it.
    /// </summary>
    public bool CanPassThrough(ReadOnlySpan<char> chunk) =>
        _state == State.Text && _pendingLength == 0 && !_skipWhitespace && !chunk.Contains('<');

    /// <summary>Gets whether any reasoning tag has been seen.</summary>
    public bool SawTag { get; private set; }

    /// <summary>Feeds one chunk of content, appending what can already be decided to <paramref name="text"/> and <paramref name="reasoning"/>.</summary>
    public void Feed(ReadOnlySpan<char> chunk, StringBuilder text, StringBuilder reasoning)
    {
        if (chunk.Length == 1 && _pendingLength == 0 && !_skipWhitespace && chunk[0] != '<')
        {
            // Token-sized chunks are common in streams: one character needs no scanning.
            (_state switch { State.Undecided => _held!, State.Text => text, _ => reasoning }).Append(chunk[0]);
            return;
        }

        while (!chunk.IsEmpty)
        {
            if (_pendingLength > 0)
            {
                chunk = ContinuePending(chunk, text, reasoning);
                continue;
            }

            if (_skipWhitespace)
            {
                int firstNonWhite = IndexOfNonWhitespace(chunk);
                if (firstNonWhite < 0)
                {
                    return;
                }

                chunk = chunk[firstNonWhite..];
                _skipWhitespace = false;
            }

            int lt = chunk.IndexOf('<');
            if (lt < 0)
            {
                Emit(chunk, text, reasoning);
                return;
            }

            Emit(chunk[..lt], text, reasoning);
            _pending[0] = '<';
            _pendingLength = 1;
            chunk = chunk[(lt + 1)..];
        }
    }

    /// <summary>
    /// Stops waiting for an orphan closing tag: reasoning has been seen in a dedicated field, so text held while
    /// undecided is answer text (appended to <paramref name="text"/>) and later text is answer text until a tag says otherwise.
    /// </summary>
    public void StopUntaggedDetection(StringBuilder text)
    {
        if (_state == State.Undecided)
        {
            AppendChunks(text, _held!);
            _held!.Clear();
            _state = State.Text;
        }
    }

    /// <summary>Ends the stream: flushes a partial tag as content, and text held while undecided as answer text.</summary>
    public void Complete(StringBuilder text, StringBuilder reasoning)
    {
        if (_pendingLength > 0)
        {
            var leftover = _pending.AsSpan(0, _pendingLength).ToArray();
            _pendingLength = 0;
            Emit(leftover.AsSpan(0, 1), text, reasoning);
            if (leftover.Length > 1)
            {
                Feed(leftover.AsSpan(1), text, reasoning);
                Complete(text, reasoning);
                return;
            }
        }

        if (_state == State.Undecided)
        {
            AppendChunks(text, _held!);
            _held!.Clear();
            _state = State.Text;
        }
    }

    private ReadOnlySpan<char> ContinuePending(ReadOnlySpan<char> chunk, StringBuilder text, StringBuilder reasoning)
    {
        while (!chunk.IsEmpty)
        {
            _pending[_pendingLength++] = chunk[0];
            chunk = chunk[1..];
            var candidate = _pending.AsSpan(0, _pendingLength);
            var match = Match(candidate);
            if (match == MatchResult.Prefix)
            {
                continue;
            }

            _pendingLength = 0;
            if (match == MatchResult.Open)
            {
                OnOpenTag(text);
            }
            else if (match == MatchResult.Close)
            {
                OnCloseTag(reasoning);
            }
            else
            {
                // Not a tag: the '<' is content; what followed it may itself start a tag, so it is scanned again.
                Emit(candidate[..1], text, reasoning);
                if (candidate.Length > 1)
                {
                    // Copied out first: scanning again may start a new candidate in the same buffer.
                    Span<char> rest = stackalloc char[candidate.Length - 1];
                    candidate[1..].CopyTo(rest);
                    Feed(rest, text, reasoning);
                }
            }

            return chunk;
        }

        return chunk;
    }

    private MatchResult Match(ReadOnlySpan<char> candidate)
    {
        bool prefix = false;
        for (int i = 0; i < _openTags.Length; i++)
        {
            var result = MatchOne(candidate, _openTags[i], MatchResult.Open);
            if (result == MatchResult.Open)
            {
                return result;
            }

            prefix |= result == MatchResult.Prefix;
            result = MatchOne(candidate, _closeTags[i], MatchResult.Close);
            if (result == MatchResult.Close)
            {
                return result;
            }

            prefix |= result == MatchResult.Prefix;
        }

        return prefix ? MatchResult.Prefix : MatchResult.None;
    }

    private static MatchResult MatchOne(ReadOnlySpan<char> candidate, string tag, MatchResult full)
    {
        if (candidate.Length > tag.Length || !tag.AsSpan(0, candidate.Length).Equals(candidate, StringComparison.OrdinalIgnoreCase))
        {
            return MatchResult.None;
        }

        return candidate.Length == tag.Length ? full : MatchResult.Prefix;
    }

    private void OnOpenTag(StringBuilder text)
    {
        SawTag = true;
        if (_state == State.Undecided)
        {
            // Text before the first opening tag stays answer text, unless it is only whitespace.
            if (!IsWhitespace(_held!))
            {
                AppendChunks(text, _held!);
            }

            _held!.Clear();
        }

        _state = State.Reasoning;
        _skipWhitespace = true;
    }

    private void OnCloseTag(StringBuilder reasoning)
    {
        SawTag = true;
        if (_state == State.Undecided)
        {
            // Reasoning that started without an opening tag (the template put it in the prompt).
            AppendChunks(reasoning, _held!);
            _held!.Clear();
        }

        _state = State.Text;
        _skipWhitespace = true;
    }

    private void Emit(ReadOnlySpan<char> content, StringBuilder text, StringBuilder reasoning)
    {
        if (content.IsEmpty)
        {
            return;
        }

        if (_skipWhitespace)
        {
            int firstNonWhite = IndexOfNonWhitespace(content);
            if (firstNonWhite < 0)
            {
                return;
            }

            content = content[firstNonWhite..];
            _skipWhitespace = false;
        }

        switch (_state)
        {
            case State.Undecided:
                _held!.Append(content);
                break;
            case State.Text:
                text.Append(content);
                break;
            default:
                reasoning.Append(content);
                break;
        }
    }

    private static int IndexOfNonWhitespace(ReadOnlySpan<char> span)
    {
        for (int i = 0; i < span.Length; i++)
        {
            if (!char.IsWhiteSpace(span[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsWhitespace(StringBuilder builder)
    {
        foreach (var chunk in builder.GetChunks())
        {
            if (IndexOfNonWhitespace(chunk.Span) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendChunks(StringBuilder target, StringBuilder source)
    {
        foreach (var chunk in source.GetChunks())
        {
            target.Append(chunk.Span);
        }
    }

    private enum MatchResult
    {
        None,
        Prefix,
        Open,
        Close,
    }
}
