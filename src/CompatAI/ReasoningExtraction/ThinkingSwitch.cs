using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace CompatAI;

/// <summary>
/// Reads the <c>thinking: {"type": "disabled"}</c> body field (DeepSeek V4, GLM, Kimi) that a caller passes through
/// <see cref="ChatOptions.AdditionalProperties"/> to switch a thinking model's reasoning off.
/// </summary>
internal static class ThinkingSwitch
{
    /// <summary>
    /// Returns whether the request's <c>thinking</c> field has <c>type</c> <c>disabled</c>: read from the options' extra
    /// properties, or (where <see cref="ParameterSanitizingChatClient"/> has already moved them into the SDK request) from
    /// the body the options' <see cref="ChatOptions.RawRepresentationFactory"/> builds.
    /// </summary>
    public static bool IsDisabled(ChatOptions? options, IChatClient client)
    {
        if (options is null)
        {
            return false;
        }

        if (options.AdditionalProperties is { } properties && properties.TryGetValue("thinking", out var value))
        {
            return IsDisabledValue(value);
        }

        if (options.RawRepresentationFactory?.Invoke(client) is ChatCompletionOptions raw
            && RawJson.TryGet(ref raw.Patch, "$.thinking"u8, out var json))
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                return IsDisabledValue(document.RootElement);
            }
            catch (JsonException)
            {
                // A thinking field that is not JSON is not the documented switch.
                return false;
            }
        }

        return false;
    }

    private static bool IsDisabledValue(object? value)
    {
        string? type = value switch
        {
            IReadOnlyDictionary<string, object?> d => d.TryGetValue("type", out var t) ? t?.ToString() : null,
            IDictionary<string, object?> d => d.TryGetValue("type", out var t) ? t?.ToString() : null,
            IDictionary<string, string> d => d.TryGetValue("type", out var t) ? t : null,
            IReadOnlyDictionary<string, string> d => d.TryGetValue("type", out var t) ? t : null,
            JsonElement { ValueKind: JsonValueKind.Object } e when e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String => t.GetString(),
            JsonObject o => o["type"] is JsonValue v && v.TryGetValue<string>(out var t) ? t : null,
            _ => null,
        };
        return string.Equals(type, "disabled", StringComparison.OrdinalIgnoreCase);
    }
}
