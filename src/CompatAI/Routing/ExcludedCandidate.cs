namespace CompatAI;

/// <summary>A candidate a <see cref="RouterChatClient"/> did not consider for a request, and why.</summary>
/// <param name="Name">The candidate's name.</param>
/// <param name="Reason">What the request needs that the candidate lacks, for example <c>tools</c> or <c>context window 8192 &lt; 9000</c>.</param>
public sealed record ExcludedCandidate(string Name, string Reason);
