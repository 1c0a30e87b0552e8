namespace CompatAI;

/// <summary>How a provider serves a moderation endpoint. A profile without it has none (or CompatAI has no record of one).</summary>
public sealed class ModerationProfile
{
    /// <summary>Gets the moderation model used when the caller names none.</summary>
    public string? DefaultModel { get; init; }

    /// <summary>Gets the path of the endpoint relative to the provider's base URL. Default: <c>moderations</c>.</summary>
    public string Path { get; init => field = string.IsNullOrWhiteSpace(value) ? "moderations" : value.Trim('/'); } = "moderations";
}
