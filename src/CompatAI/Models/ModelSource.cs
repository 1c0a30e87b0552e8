namespace CompatAI;

/// <summary>Where a <see cref="ModelList"/> comes from.</summary>
public enum ModelSource
{
    /// <summary>The provider's own <c>GET /models</c>.</summary>
    Provider,

    /// <summary>What CompatAI knows without asking (the profile's default model and the models of the price table), because <c>GET /models</c> failed.</summary>
    Catalog,
}
