using System.Buffers;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace CompatAI;

/// <summary>
/// Collects streamed tool-call fragments by index into complete calls. The first non-empty id and name win, so a
/// provider that repeats <c>name: ""</c> on continuation deltas (LM Studio, Mistral) does not blank the name.
/// </summary>
internal sealed class StreamingToolCallAccumulator
{
    private readonly SortedDictionary<int, Entry> _calls = [];

    public bool HasCalls => _calls.Count > 0;

    public void Add(StreamingChatToolCallUpdate update)
    {
        if (!_calls.TryGetValue(update.Index, out var entry))
        {
            entry = new Entry();
            _calls[update.Index] = entry;
        }

        if (string.IsNullOrEmpty(entry.Id) && !string.IsNullOrEmpty(update.ToolCallId))
        {
            entry.Id = update.ToolCallId;
        }

        if (string.IsNullOrEmpty(entry.Name) && !string.IsNullOrEmpty(update.FunctionName))
        {
            entry.Name = update.FunctionName;
        }

        if (update.FunctionArgumentsUpdate is { } fragment)
        {
            entry.Arguments.Write(fragment.ToMemory().Span);
        }
    }

    public IEnumerable<FunctionCallContent> Complete(string? responseId)
    {
        var position = 0;
        foreach (var entry in _calls.Values)
        {
            yield return ChatResponseMapper.ToFunctionCall(entry.Id, entry.Name, entry.Arguments.WrittenMemory, responseId, position++, raw: null);
        }

        _calls.Clear();
    }

    private sealed class Entry
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public ArrayBufferWriter<byte> Arguments { get; } = new(64);
    }
}
