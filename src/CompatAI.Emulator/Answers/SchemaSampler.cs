using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// Builds sample arguments from a JSON schema: only <c>required</c> properties, strings <c>"sample"</c>,
/// numbers and integers <c>1</c>, booleans <c>true</c>, arrays <c>[]</c>, objects recursively, enums their first value.
/// </summary>
internal static class SchemaSampler
{
    private const int MaxDepth = 8;

    public static JsonNode? Sample(JsonNode? schema) => Sample(schema, 0);

    private static JsonNode? Sample(JsonNode? schema, int depth)
    {
        if (schema is not JsonObject s || depth > MaxDepth)
        {
            return new JsonObject();
        }

        if (s["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[0]?.DeepClone();
        }

        if (s.ContainsKey("const"))
        {
            return s["const"]?.DeepClone();
        }

        foreach (var combinator in new[] { "anyOf", "oneOf", "allOf" })
        {
            if (s[combinator] is JsonArray { Count: > 0 } options)
            {
                return Sample(options.FirstOrDefault(o => TypeOf(o) != "null") ?? options[0], depth + 1);
            }
        }

        return TypeOf(s) switch
        {
            "string" => JsonValue.Create("sample"),
            "number" or "integer" => JsonValue.Create(1),
            "boolean" => JsonValue.Create(true),
            "array" => new JsonArray(),
            "null" => null,
            _ => SampleObject(s, depth),
        };
    }

    private static JsonObject SampleObject(JsonObject schema, int depth)
    {
        var result = new JsonObject();
        var properties = schema["properties"] as JsonObject;
        if (schema["required"] is not JsonArray required)
        {
            return result;
        }

        foreach (var name in required)
        {
            if (name is JsonValue v && v.TryGetValue<string>(out var propertyName))
            {
                result[propertyName] = Sample(properties?[propertyName], depth + 1);
            }
        }

        return result;
    }

    private static string? TypeOf(JsonNode? schema)
    {
        if (schema is not JsonObject s)
        {
            return null;
        }

        return s["type"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var t) => t,
            JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null"),
            _ => s.ContainsKey("properties") ? "object" : null,
        };
    }
}
