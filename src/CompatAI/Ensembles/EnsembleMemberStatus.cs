namespace CompatAI;

/// <summary>What happened to one member of an ensemble request.</summary>
public enum EnsembleMemberStatus
{
    /// <summary>The member answered.</summary>
    Succeeded,

    /// <summary>The member failed.</summary>
    Failed,

    /// <summary>The member was cancelled because another won (<see cref="EnsembleMode.First"/>).</summary>
    Cancelled,

    /// <summary>The member answered but the validator rejected it (<see cref="EnsembleMode.Cascade"/>).</summary>
    Rejected,

    /// <summary>The member was not asked (<see cref="EnsembleMode.Cascade"/> stopped before it).</summary>
    NotRun,
}
