namespace CompatAI;

/// <summary>A model the catalog knows the lifecycle of: its status, shutdown date and replacement, with sources.</summary>
public sealed class KnownModel
{
    /// <summary>Gets the model id as the provider spells it, for example <c>openai/gpt-oss-120b</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the model's lifecycle status.</summary>
    public ModelStatus Status { get; init; }

    /// <summary>Gets the date the provider stops (or stopped) serving the model, when announced.</summary>
    public DateOnly? Shutdown { get; init; }

    /// <summary>Gets the model the provider suggests instead, when it named one.</summary>
    public string? Replacement { get; init; }

    /// <summary>Gets remarks on the entry; <c>[unsure]</c> marks facts the sources leave open.</summary>
    public string? Notes { get; init; }

    /// <summary>Gets where the lifecycle facts come from.</summary>
    public IReadOnlyList<string> Sources { get; init => field = value ?? []; } = [];
}
