namespace CompatAI.Emulator;

/// <summary>One piece of an event stream as it goes on the wire.</summary>
internal sealed record SseFrame(SseFrameKind Kind, string Text, string? EventName = null)
{
    public static readonly SseFrame Done = new(SseFrameKind.Done, "[DONE]");

    public static SseFrame Data(System.Text.Json.Nodes.JsonNode node) => new(SseFrameKind.Data, EmulatorJson.Serialize(node));

    public static SseFrame Comment(string text) => new(SseFrameKind.Comment, text);

    public static SseFrame Event(string name, System.Text.Json.Nodes.JsonNode node) => new(SseFrameKind.Data, EmulatorJson.Serialize(node), name);

    /// <summary>The exact wire text of the frame including the blank line that ends it.</summary>
    public string ToWire() => Kind switch
    {
        SseFrameKind.Comment => $": {Text}\n\n",
        _ when EventName is not null => $"event: {EventName}\ndata: {Text}\n\n",
        _ => $"data: {Text}\n\n",
    };
}

/// <summary>Kinds of <see cref="SseFrame"/>.</summary>
internal enum SseFrameKind
{
    Data,
    Comment,
    Done,
}
