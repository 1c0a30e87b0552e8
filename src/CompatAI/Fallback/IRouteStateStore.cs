namespace CompatAI;

/// <summary>
/// Where <see cref="FallbackChatClient"/> and <see cref="RouterChatClient"/> share the health of their routes with other
/// processes (replicas of the gateway, instances of an application): Retry-After cooldowns, open circuits with their
/// half-open probe lease, and a decaying latency average per route. Set it as <see cref="FallbackOptions.StateStore"/>;
/// without one (the default) every client keeps its state in its own process only.
/// </summary>
/// <remarks>
/// <para>
/// A route is named by a stable key, <c>&lt;route name&gt;/&lt;model&gt;</c> (the provider name or router candidate
/// name, and the model), so the same configuration gives the same key in every process.
/// </para>
/// <para>
/// The clients read on every request, so <see cref="GetState"/> must answer from memory and never wait on I/O. The
/// <c>Report...</c> methods are called without being awaited (fire and forget): they must not throw, and a store that
/// cannot reach its backend keeps the report in its local state and goes on. Times are the caller's
/// (<see cref="FallbackOptions.TimeProvider"/>): every write carries the caller's <c>now</c>, so stores compute expiry
/// from it rather than from a clock of their own; processes sharing a store need clocks in step (NTP).
/// </para>
/// <para>
/// The circuit rule: when a process's circuit breaker opens, every process skips the route until the break ends. After
/// that the route is half-open: a process must win <see cref="TryAcquireProbeAsync"/> before it sends the probe call,
/// and the others keep skipping until the probe's outcome is reported (<see cref="ReportCircuitClosedAsync"/>: everyone
/// uses the route again; <see cref="ReportCircuitOpenedAsync"/>: open again) or the lease expires.
/// </para>
/// </remarks>
public interface IRouteStateStore
{
    /// <summary>Returns what is known of a route, from memory; the default value when nothing is.</summary>
    /// <param name="routeKey">The route's key.</param>
    /// <returns>The route's shared state.</returns>
    SharedRouteState GetState(string routeKey);

    /// <summary>Reports that the route asked to wait (a rate limit with Retry-After) until <paramref name="until"/>; a later cooldown already known wins.</summary>
    /// <param name="routeKey">The route's key.</param>
    /// <param name="until">When the route may be tried again.</param>
    /// <param name="now">The caller's current time.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the report is handled; it never faults.</returns>
    ValueTask ReportCooldownAsync(string routeKey, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reports that the route's circuit opened (or that a half-open probe failed): every process skips it until
    /// <paramref name="until"/>. Any probe lease is released; a later break already known wins.
    /// </summary>
    /// <param name="routeKey">The route's key.</param>
    /// <param name="until">When the break ends.</param>
    /// <param name="now">The caller's current time.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the report is handled; it never faults.</returns>
    ValueTask ReportCircuitOpenedAsync(string routeKey, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reports that the route's circuit closed (a probe succeeded): every process uses it again, and the probe lease is
    /// released. A break that has not ended at <paramref name="now"/> is left alone (another process opened it since).
    /// </summary>
    /// <param name="routeKey">The route's key.</param>
    /// <param name="now">The caller's current time.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the report is handled; it never faults.</returns>
    ValueTask ReportCircuitClosedAsync(string routeKey, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tries to take the lease that lets one process send the probe call to a half-open route. Called only when a route's
    /// break has ended; the caller waits for the answer, so a store bounds it (a store whose backend is unreachable
    /// decides with its local state).
    /// </summary>
    /// <param name="routeKey">The route's key.</param>
    /// <param name="lease">How long the lease holds if no outcome is reported.</param>
    /// <param name="now">The caller's current time.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether this caller won the lease and should probe.</returns>
    ValueTask<bool> TryAcquireProbeAsync(string routeKey, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reports one call's latency (time to first update for streams, total time otherwise) for the shared decaying
    /// average: an observation <paramref name="halfLife"/> after the previous one counts half, and each counts at least 30 %.
    /// </summary>
    /// <param name="routeKey">The route's key.</param>
    /// <param name="latency">The observed latency.</param>
    /// <param name="observedAt">When it was observed (the caller's time).</param>
    /// <param name="halfLife">The half-life of the average.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the report is handled; it never faults.</returns>
    ValueTask ReportLatencyAsync(string routeKey, TimeSpan latency, DateTimeOffset observedAt, TimeSpan halfLife, CancellationToken cancellationToken = default);
}
