namespace CompatAI;

/// <summary>Where a model stands in its provider's lifecycle, as the catalog last verified it.</summary>
public enum ModelStatus
{
    /// <summary>The provider lists the model and has announced no end for it.</summary>
    Current,

    /// <summary>The provider has announced a shutdown (see <see cref="KnownModel.Shutdown"/>); requests still work until then.</summary>
    Deprecated,

    /// <summary>The provider no longer serves the model; requests for it fail (see <see cref="KnownModel.Replacement"/>).</summary>
    Retired,

    /// <summary>The sources are silent or disagree about the model (see <see cref="KnownModel.Notes"/>); requests go out unchanged.</summary>
    Unclear,
}
