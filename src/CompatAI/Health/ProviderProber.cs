using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompatAI;

/// <summary>
/// Active health probes for the candidates of a <see cref="RouterChatClient"/>: each round runs every candidate's probe
/// (typically <see cref="CompatModelClient.ProbeAsync"/>, a <c>GET /models</c> that costs no tokens, or
/// <see cref="ProviderProbe.OneTokenAsync"/>) and records the outcome with <see cref="RouterChatClient.RecordProbe"/>; a
/// candidate whose last probe failed is ranked last and reported unhealthy. Rounds run every
/// <see cref="ProviderProberOptions.Interval"/> with jitter once <see cref="Start"/> is called, or on demand with
/// <see cref="ProbeOnceAsync"/>. Nothing is probed unless given a probe: probes are opt-in per candidate, so a paid
/// provider is never probed by default. <c>AddCompatRouterChatClient</c> runs one from configuration
/// (<c>CompatAI:Routing:Candidates:&lt;n&gt;:Probe</c>) as a hosted service.
/// </summary>
public sealed partial class ProviderProber : IAsyncDisposable
{
    private readonly RouterChatClient _router;
    private readonly KeyValuePair<string, Func<CancellationToken, Task>>[] _probes;
    private readonly ProviderProberOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private int _running;
    private int _disposed;

    /// <summary>Creates the prober.</summary>
    /// <param name="router">The router whose candidates are probed.</param>
    /// <param name="probes">The probe of each candidate, by candidate name (as <see cref="RouterChatClient.GetHealth"/> names them).</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">A probe names no candidate of the router, or the options are invalid.</exception>
    public ProviderProber(RouterChatClient router, IReadOnlyDictionary<string, Func<CancellationToken, Task>> probes, ProviderProberOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(probes);
        _options = options ?? new ProviderProberOptions();
        _options.Validate();
        var names = router.GetHealth().Select(static h => h.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in probes.Keys)
        {
            if (!names.Contains(name))
            {
                throw new ArgumentException($"The router has no candidate '{name}' to probe (candidates: {string.Join(", ", names)}).", nameof(probes));
            }
        }

        _router = router;
        _probes = [.. probes];
        _logger = _options.LoggerFactory?.CreateLogger<ProviderProber>() ?? NullLogger<ProviderProber>.Instance;
    }

    /// <summary>Gets the names of the candidates this prober probes.</summary>
    public IReadOnlyList<string> Candidates => [.. _probes.Select(static p => p.Key)];

    /// <summary>Called after every timed round has recorded its outcomes and scheduled the next round (tests wait on it instead of on the clock).</summary>
    internal Action? RoundCompleted { get; set; }

    /// <summary>Starts the rounds: the first after one (jittered) interval. Calling it again does nothing.</summary>
    /// <exception cref="ObjectDisposedException">The prober is disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_gate)
        {
            _timer ??= _options.TimeProvider.CreateTimer(static s => _ = ((ProviderProber)s!).RoundAsync(), this, NextDelay(), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Runs every probe once, now, and records the outcomes. A probe that fails or takes longer than <see cref="ProviderProberOptions.Timeout"/> is recorded as failed; the returned task fails only when <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when every probe has finished.</returns>
    public Task ProbeOnceAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_probes.Select(p => ProbeAsync(p.Key, p.Value, cancellationToken)));

    /// <summary>Stops the rounds (a round in flight is cancelled). Calling it again does nothing.</summary>
    /// <returns>A task that completes when the timer is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        ITimer? timer;
        lock (_gate)
        {
            timer = _timer;
        }

        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RoundAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        try
        {
            await ProbeOnceAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return; // disposed during the round: no next round
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }

        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _timer?.Change(NextDelay(), Timeout.InfiniteTimeSpan);
            }
        }

        RoundCompleted?.Invoke();
    }

    private async Task ProbeAsync(string name, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        string? error = null;
        try
        {
            await probe(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the probe throws means the candidate did not answer; the message is recorded (provider errors are
            // already free of secrets), the round goes on.
            error = ex is OperationCanceledException && timeout.IsCancellationRequested ? $"The probe took longer than {_options.Timeout}." : ex.Message;
        }

        bool wasFailing = _router.GetHealth().FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.LastProbeSucceeded == false;
        _router.RecordProbe(name, succeeded: error is null, error);
        if (error is not null && !wasFailing)
        {
            LogProbeFailed(_logger, name, error);
        }
        else if (error is null && wasFailing)
        {
            LogProbeRecovered(_logger, name);
        }
    }

    private TimeSpan NextDelay() =>
        _options.Interval * (1 + (_options.Jitter * ((_options.Random.NextDouble() * 2) - 1)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "CompatAI's probe of candidate '{Candidate}' failed: {Error}. It is ranked last until a probe succeeds.")]
    private static partial void LogProbeFailed(ILogger logger, string candidate, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "CompatAI's probe of candidate '{Candidate}' succeeded again: it is ranked by its score again.")]
    private static partial void LogProbeRecovered(ILogger logger, string candidate);
}
