namespace CompatAI.Gateway.Replicas.Tests.Infrastructure;

/// <summary>
/// The replica test classes run one after another, not in parallel: each starts three gateway processes, and CI has
/// two cores shared with the other test projects.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReplicasCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "gateway replicas";
}
