namespace CompatAI;

/// <summary>
/// The state of one request routed by a <see cref="FallbackChatClient"/> (one per MEAI <c>RoutingContext</c>): the next
/// route to consider, how many clients were really invoked, and every failure so far. A request's attempts run one after
/// the other, so no synchronization is needed.
/// </summary>
internal sealed class FallbackRequest
{
    /// <summary>Gets or sets the index of the next route <c>SelectClientAsync</c> considers.</summary>
    public int Next { get; set; }

    /// <summary>Gets or sets how many clients were invoked (not counting clients skipped by cooldown or an open circuit).</summary>
    public int Attempts { get; set; }

    /// <summary>Gets the failures so far, in order, including skipped clients.</summary>
    public List<ProviderException> Failures { get; } = [];
}
