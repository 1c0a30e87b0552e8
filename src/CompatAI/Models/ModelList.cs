namespace CompatAI;

/// <summary>The models of one provider, as <see cref="CompatModelClient.ListModelsAsync"/> found them.</summary>
/// <param name="Provider">The catalog provider.</param>
/// <param name="Models">The model ids, in the order the provider lists them.</param>
/// <param name="Source">Whether the list is the provider's or CompatAI's fallback.</param>
/// <param name="Error">Why the provider's list could not be read, when <paramref name="Source"/> is <see cref="ModelSource.Catalog"/>.</param>
public sealed record ModelList(string Provider, IReadOnlyList<string> Models, ModelSource Source, string? Error);
