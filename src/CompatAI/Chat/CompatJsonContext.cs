using System.Text.Json.Serialization;

namespace CompatAI;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IDictionary<string, object?>))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class CompatJsonContext : JsonSerializerContext;
