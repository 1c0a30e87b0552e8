using System.Text.Json.Nodes;

namespace CompatAI.Cli;

/// <summary>What the probe learned: the findings and the provider profile (catalog JSON) that describes the endpoint.</summary>
/// <param name="Endpoint">The probed base URL.</param>
/// <param name="Model">The model used.</param>
/// <param name="Findings">The observations, in order.</param>
/// <param name="Profile">The profile object, in the catalog's JSON format (<c>providers.json</c>); null when the probe could not finish.</param>
/// <param name="Error">Why the probe stopped early.</param>
internal sealed record ProbeReport(string Endpoint, string? Model, IReadOnlyList<ProbeFinding> Findings, JsonObject? Profile, string? Error)
{
    public JsonObject ToJson() => new()
    {
        ["endpoint"] = Endpoint,
        ["model"] = Model,
        ["error"] = Error,
        ["findings"] = new JsonArray([.. Findings.Select(f => (JsonNode)f.ToJson())]),
        ["profile"] = Profile?.DeepClone(),
    };

    /// <summary>The profile as a catalog document, loadable with <c>ProviderCatalog.FromJson</c>.</summary>
    public JsonObject? CatalogDocument() => Profile is null ? null : new JsonObject { ["providers"] = new JsonArray(Profile.DeepClone()) };
}
