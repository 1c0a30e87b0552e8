using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Wire;

/// <summary>Turns a stream of <see cref="ChatResponseUpdate"/>s into OpenAI chunk JSON, one call per update.</summary>
internal sealed class StreamChunkWriter
{
    private readonly string _model;
    private readonly bool _includeUsage;
    private long? _created;
    private string? _id;
    private bool _roleSent;
    private bool _finishSent;
    private bool _sawToolCalls;
    private int _toolCallIndex;
    private UsageDetails? _usage;

    public StreamChunkWriter(string model, bool includeUsage)
    {
        _model = model;
        _includeUsage = includeUsage;
    }

    /// <summary>Returns the chunk JSON for an update, or <see langword="null"/> when it carries nothing to send.</summary>
    public string? Write(ChatResponseUpdate update)
    {
        _id ??= update.ResponseId ?? ResponseMapper.NewId();
        // Every chunk carries the upstream's own 'created' (its first chunk's), as the JSON answer does; the gateway's
        // clock only when the upstream gave none.
        _created ??= update.CreatedAt?.ToUnixTimeSeconds() ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string? text = null;
        string? reasoning = null;
        List<ToolCallDto>? toolCalls = null;
        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextContent t when t.Text.Length > 0:
                    text = text is null ? t.Text : text + t.Text;
                    break;
                case TextReasoningContent r when r.Text.Length > 0:
                    reasoning = reasoning is null ? r.Text : reasoning + r.Text;
                    break;
                case FunctionCallContent call:
                    (toolCalls ??= []).Add(ResponseMapper.ToToolCall(call, _toolCallIndex++));
                    _sawToolCalls = true;
                    break;
                case UsageContent usage:
                    if (_usage is null)
                    {
                        _usage = new UsageDetails();
                    }

                    _usage.Add(usage.Details);
                    break;
            }
        }

        string? finish = null;
        if (update.FinishReason is { } reason && !_finishSent)
        {
            finish = ResponseMapper.FinishReason(reason, _sawToolCalls);
            _finishSent = true;
        }

        if (text is null && reasoning is null && toolCalls is null && finish is null)
        {
            return null;
        }

        return Serialize(new DeltaDto { Role = TakeRole(), Content = text, ReasoningContent = reasoning, ToolCalls = toolCalls?.ToArray() }, finish);
    }

    /// <summary>Returns the closing chunks: a finish chunk when none came, then the usage chunk when asked for.</summary>
    public IEnumerable<string> Complete()
    {
        if (!_finishSent)
        {
            _finishSent = true;
            yield return Serialize(new DeltaDto { Role = TakeRole() }, _sawToolCalls ? "tool_calls" : "stop");
        }

        if (_includeUsage)
        {
            var chunk = new ChunkDto
            {
                Id = _id ?? ResponseMapper.NewId(),
                Created = _created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                Model = _model,
                Choices = [],
                Usage = ResponseMapper.ToUsage(_usage) ?? new UsageDto(),
            };
            yield return JsonSerializer.Serialize(chunk, GatewayJson.Context.ChunkDto);
        }
    }

    private string? TakeRole()
    {
        if (_roleSent)
        {
            return null;
        }

        _roleSent = true;
        return "assistant";
    }

    private string Serialize(DeltaDto delta, string? finish)
    {
        var chunk = new ChunkDto
        {
            Id = _id ?? ResponseMapper.NewId(),
            Created = _created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            Model = _model,
            Choices = [new ChunkChoiceDto { Index = 0, Delta = delta, FinishReason = finish }],
        };
        return JsonSerializer.Serialize(chunk, GatewayJson.Context.ChunkDto);
    }
}
