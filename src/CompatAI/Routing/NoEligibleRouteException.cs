namespace CompatAI;

/// <summary>No candidate of a <see cref="RouterChatClient"/> can serve a request (each lacks something it needs); nothing was sent.</summary>
public sealed class NoEligibleRouteException : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    /// <param name="excluded">Every candidate with the reason it was left out.</param>
    public NoEligibleRouteException(IReadOnlyList<ExcludedCandidate> excluded)
        : base($"No candidate can serve this request: {string.Join("; ", (excluded ?? []).Select(static e => $"{e.Name}: {e.Reason}"))}.")
    {
        Excluded = excluded ?? [];
    }

    /// <summary>Gets every candidate with the reason it was left out.</summary>
    public IReadOnlyList<ExcludedCandidate> Excluded { get; }
}
