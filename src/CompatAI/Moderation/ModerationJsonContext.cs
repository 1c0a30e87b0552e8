using System.Text.Json.Serialization;

namespace CompatAI;

/// <summary>The body of a moderation request: the same on OpenAI and Mistral.</summary>
internal sealed record ModerationRequestBody(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("input")] IReadOnlyList<string> Input);

[JsonSerializable(typeof(ModerationRequestBody))]
internal sealed partial class ModerationJsonContext : JsonSerializerContext;
