namespace CompatAI;

/// <summary>One member's part in an ensemble request (the list is the response's <see cref="EnsembleChatClient.MembersKey"/> property).</summary>
/// <param name="Name">The member's name.</param>
/// <param name="Status">What happened.</param>
/// <param name="Latency">How long the member took (zero when not run).</param>
/// <param name="Cost">What its answer cost (provider-reported, else priced), when known.</param>
/// <param name="Error">The error message of a failed member.</param>
/// <param name="Won">Whether this member's answer is the response.</param>
public sealed record EnsembleMemberOutcome(string Name, EnsembleMemberStatus Status, TimeSpan Latency, decimal? Cost, string? Error, bool Won)
{
    /// <summary>Gets the error of a failed member.</summary>
    public ProviderException? Exception { get; init; }
}
