using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Wire;

/// <summary>A function tool as the client declared it: name, description, JSON schema and, when given, its <c>strict</c> flag.</summary>
internal sealed class WireFunctionDeclaration : AIFunctionDeclaration
{
    private readonly IReadOnlyDictionary<string, object?> _additionalProperties;

    public WireFunctionDeclaration(string name, string? description, JsonElement schema, bool? strict)
    {
        Name = name;
        Description = description ?? string.Empty;
        JsonSchema = schema;
        _additionalProperties = strict is { } s
            ? new Dictionary<string, object?>(StringComparer.Ordinal) { ["strict"] = s }
            : new Dictionary<string, object?>(StringComparer.Ordinal);
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema { get; }

    public override IReadOnlyDictionary<string, object?> AdditionalProperties => _additionalProperties;
}
