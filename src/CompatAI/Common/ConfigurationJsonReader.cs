using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Configuration;

namespace CompatAI;

/// <summary>
/// Lays a configuration section over a JSON object, guided by a source-generated JSON contract, so that a type can be
/// "bound" from configuration by deserializing the result with that same contract: trim- and Native AOT-safe, and
/// able to fill init-only and <see langword="required"/> properties, which the configuration binding source generator
/// cannot (it leaves init-only properties of an existing instance untouched). Keys match property names
/// case-insensitively, as <c>ConfigurationBinder</c> does. A scalar key replaces the value, a list is replaced by
/// the section's children in order, a dictionary merges key by key and a nested object merges property by property.
/// Values are converted with the invariant culture; a value that does not convert, or a key the type does not have,
/// is an <see cref="InvalidOperationException"/> naming the configuration key.
/// </summary>
internal static class ConfigurationJsonReader
{
    /// <summary>Lays <paramref name="section"/> over <paramref name="target"/> (changed in place), an object of the type <paramref name="contract"/> describes.</summary>
    /// <param name="target">The JSON object to change; for example a serialized copy of the current value.</param>
    /// <param name="section">The configuration whose children are property names.</param>
    /// <param name="contract">The JSON contract of the object's type (from a source-generated context).</param>
    /// <exception cref="InvalidOperationException">A key is unknown or a value cannot be converted; the message names the key.</exception>
    public static void Merge(JsonObject target, IConfiguration section, JsonTypeInfo contract)
    {
        foreach (var child in section.GetChildren())
        {
            var property = contract.Properties.FirstOrDefault(p => p.Set is not null && string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOperationException(
                    $"'{child.Path}' is not a setting of {contract.Type.Name}; its settings are {string.Join(", ", contract.Properties.Where(static p => p.Set is not null).Select(static p => Pascal(p.Name)).Order(StringComparer.Ordinal))}.");
            if (TryRead(child, contract.Options.GetTypeInfo(property.PropertyType), target[property.Name], out var value))
            {
                target[property.Name] = value;
            }
        }
    }

    private static bool TryRead(IConfigurationSection section, JsonTypeInfo contract, JsonNode? current, out JsonNode? value)
    {
        value = null;
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            // A key without a value (JSON null) changes nothing, as with ConfigurationBinder.
            if (section.Value is null)
            {
                return false;
            }

            if (contract.Kind != JsonTypeInfoKind.None)
            {
                if (section.Value.Length == 0)
                {
                    return false;
                }

                throw new InvalidOperationException($"'{section.Path}' has the value '{section.Value}', but it is {Describe(contract)}: give it sub-keys ('{section.Path}:...').");
            }

            value = Convert(section, contract.Type);
            return true;
        }

        switch (contract.Kind)
        {
            case JsonTypeInfoKind.Object:
                var obj = current as JsonObject ?? [];
                Merge(obj, section, contract);
                value = obj;
                return true;
            case JsonTypeInfoKind.Enumerable:
                // A list named in configuration is replaced, not appended to.
                var elementContract = contract.Options.GetTypeInfo(contract.ElementType!);
                var array = new JsonArray();
                foreach (var child in children)
                {
                    if (TryRead(child, elementContract, current: null, out var element))
                    {
                        array.Add(element);
                    }
                }

                value = array;
                return true;
            case JsonTypeInfoKind.Dictionary:
                // A dictionary merges key by key.
                var entries = current as JsonObject ?? [];
                var entryContract = contract.Options.GetTypeInfo(contract.ElementType!);
                foreach (var child in children)
                {
                    if (TryRead(child, entryContract, entries[child.Key], out var entry))
                    {
                        entries[child.Key] = entry;
                    }
                }

                value = entries;
                return true;
            default:
                throw new InvalidOperationException($"'{section.Path}' is a single value ({Describe(contract)}), but configuration gives it sub-keys.");
        }
    }

    private static JsonNode? Convert(IConfigurationSection section, Type type)
    {
        var text = section.Value!;
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && text.Length == 0)
        {
            return null;
        }

        var target = underlying ?? type;
        var invariant = CultureInfo.InvariantCulture;
        JsonNode? node = target switch
        {
            _ when target == typeof(string) => JsonValue.Create(text),
            _ when target == typeof(bool) => bool.TryParse(text, out var b) ? JsonValue.Create(b) : null,
            _ when target == typeof(int) => int.TryParse(text, NumberStyles.Integer, invariant, out var i) ? JsonValue.Create(i) : null,
            _ when target == typeof(long) => long.TryParse(text, NumberStyles.Integer, invariant, out var l) ? JsonValue.Create(l) : null,
            _ when target == typeof(double) => double.TryParse(text, NumberStyles.Float, invariant, out var d) && double.IsFinite(d) ? JsonValue.Create(d) : null,
            _ when target == typeof(decimal) => decimal.TryParse(text, NumberStyles.Float, invariant, out var m) ? JsonValue.Create(m) : null,
            _ when target == typeof(Uri) => Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out _) ? JsonValue.Create(text) : null,
            _ when target == typeof(DateOnly) => DateOnly.TryParse(text, invariant, DateTimeStyles.None, out var date) ? JsonValue.Create(date.ToString("O", invariant)) : null,
            _ when target == typeof(TimeSpan) => TimeSpan.TryParse(text, invariant, out var span) ? JsonValue.Create(span.ToString("c", invariant)) : null,
            _ when target.IsEnum => Enum.TryParse(target, text, ignoreCase: true, out var member) && Enum.IsDefined(target, member!)
                ? JsonValue.Create(member!.ToString())
                : throw new InvalidOperationException($"'{section.Path}' is '{text}', which is not one of {string.Join(", ", Enum.GetNames(target))}."),
            _ => throw new InvalidOperationException($"'{section.Path}' cannot be read from configuration: values of type {target.Name} are not supported."),
        };

        return node ?? throw new InvalidOperationException($"'{section.Path}' is '{text}', which is not a valid {Describe(target)}.");
    }

    private static string Describe(JsonTypeInfo contract) => contract.Kind switch
    {
        JsonTypeInfoKind.Enumerable => "a list",
        JsonTypeInfoKind.Dictionary => "a dictionary",
        JsonTypeInfoKind.Object => $"an object ({contract.Type.Name})",
        _ => Describe(Nullable.GetUnderlyingType(contract.Type) ?? contract.Type),
    };

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(bool) => "boolean (true or false)",
        _ when type == typeof(int) || type == typeof(long) => "whole number",
        _ when type == typeof(double) || type == typeof(decimal) => "number (invariant culture, '.' as decimal point)",
        _ when type == typeof(Uri) => "URI",
        _ when type == typeof(DateOnly) => "date (yyyy-MM-dd)",
        _ when type == typeof(TimeSpan) => "time span (hh:mm:ss)",
        _ => type.Name,
    };

    private static string Pascal(string name) => name.Length == 0 ? name : string.Concat(char.ToUpperInvariant(name[0]).ToString(), name.AsSpan(1));
}
