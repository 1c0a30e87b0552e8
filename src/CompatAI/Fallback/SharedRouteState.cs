using System.Runtime.InteropServices;

namespace CompatAI;

/// <summary>What an <see cref="IRouteStateStore"/> knows of one route; every member is <see langword="null"/> when nothing is known.</summary>
/// <param name="CooldownUntil">When a Retry-After seen by any process ends.</param>
/// <param name="CircuitOpenUntil">
/// When the break of an open circuit ends. While this is in the future the route is skipped; once it has passed, the
/// route is half-open until a probe's outcome is reported, and only the winner of the probe lease may call it.
/// </param>
/// <param name="Latency">The shared decaying latency average.</param>
/// <param name="LatencyObservedAt">When the last observation that fed <paramref name="Latency"/> was made.</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct SharedRouteState(
    DateTimeOffset? CooldownUntil,
    DateTimeOffset? CircuitOpenUntil,
    TimeSpan? Latency,
    DateTimeOffset? LatencyObservedAt);
