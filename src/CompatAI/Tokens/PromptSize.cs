using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// One prompt's size for checks of the form "prompt plus output fits within a window", measured lazily and at most once
/// each: first <see cref="TokenCounter.CountChatUpperBound"/> (its UTF-8 size, no tokenizer: a byte-level BPE token
/// covers at least one byte), and the exact <see cref="TokenCounter.CountChat"/> only when the bound does not already
/// fit. Used by <see cref="ContextWindowCheckingChatClient"/> and by <see cref="RouterChatClient"/>'s context-window
/// filter. A mutable struct: keep it in a local or field and pass it by reference, or the measurements are lost.
/// </summary>
internal struct PromptSize
{
    private readonly TokenCounter _counter;
    private readonly IEnumerable<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private int _upperBound;
    private int _sizeEstimate;
    private TokenCount _count;
    private bool _counted;

    public PromptSize(TokenCounter counter, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        _counter = counter;
        _messages = messages;
        _options = options;
        _upperBound = -1;
        _sizeEstimate = -1;
    }

    /// <summary>Gets whether the exact count has been made (by <see cref="GetCount"/> or a <see cref="Fits"/> the bound could not answer).</summary>
    public readonly bool IsCounted => _counted;

    /// <summary>Gets the exact count's tokens when it has been made, else -1.</summary>
    public readonly int CountIfMade => _counted ? _count.Tokens : -1;

    /// <summary>Returns the bound the exact count never exceeds (computed once).</summary>
    public int GetUpperBound()
    {
        if (_upperBound < 0)
        {
            _upperBound = _counter.CountChatUpperBound(_messages, _options);
        }

        return _upperBound;
    }

    /// <summary>Returns <see cref="TokenCounter.EstimateChatFromSize"/> (computed once): the count with every text as its UTF-8 bytes / 4, no tokenizer.</summary>
    public int GetSizeEstimate()
    {
        if (_sizeEstimate < 0)
        {
            _sizeEstimate = _counter.EstimateChatFromSize(_messages, _options);
        }

        return _sizeEstimate;
    }

    /// <summary>Returns the exact count (computed once).</summary>
    public TokenCount GetCount()
    {
        if (!_counted)
        {
            _count = _counter.CountChat(_messages, _options);
            _counted = true;
        }

        return _count;
    }

    /// <summary>Returns whether the prompt plus <paramref name="output"/> tokens fits in <paramref name="window"/>: by the bound when it does, else by the exact count.</summary>
    public bool Fits(long window, long output) =>
        (_counted ? _count.Tokens : GetUpperBound()) + output <= window || GetCount().Tokens + output <= window;
}
