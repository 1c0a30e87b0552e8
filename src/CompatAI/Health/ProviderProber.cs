using System.ClientModel;

namespace CompatAI;

/// <summary>
/// Active health probes for the candidates of a <see cref="RouterChatClient"/>: each round runs every candidate's probe
/// (typically <see cref="CompatModelClient.ProbeAsync"/>, a <c>GET /models</c> that costs no tokens) and records the
/// outcome with <see cref="RouterChatClient.RecordProbe"/>; a candidate whose last probe failed is ranked last and
/// reported unhealthy. Rounds run every <see cref="ProviderProberOptions.Interval"/> with jitter once <see cref="Start"/>
/// is called, or on demand with <see cref="ProbeOnceAsync"/>. Nothing is probed unless given a probe: probes are opt-in
/// per candidate, so a paid provider is never probed by default.
/// </summary>
public sealed class ProviderProber : IAsyncDisposable
{
    private readonly RouterChatClient _router;
    private readonly KeyValuePair<string, Func<CancellationToken, Task>>[] _probes;
    private readonly ProviderProberOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private int _running;

    /// <summary>Creates the prober.</summary>
    /// <param name="router">The router whose candidates are probed.</param>
    /// <param name="probes">The probe of each candidate, by candidate name.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">A probe names no candidate of the router.</exception>
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
    }

    /// <summary>Starts the rounds: the first after one (jittered) interval.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        _timer ??= _options.TimeProvider.CreateTimer(static s => _ = ((ProviderProber)s!).RoundAsync(), this, NextDelay(), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Runs every probe once, now, and records the outcomes.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when every probe has finished.</returns>
    public Task ProbeOnceAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_probes.Select(p => ProbeAsync(p.Key, p.Value, cancellationToken)));

    /// <summary>Stops the rounds.</summary>
    /// <returns>A task that completes when the timer is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
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
            return; // disposed during the round
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }

        if (!_stopping.IsCancellationRequested)
        {
            _timer?.Change(NextDelay(), Timeout.InfiniteTimeSpan);
        }
    }

    private async Task ProbeAsync(string name, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            await probe(timeout.Token).ConfigureAwait(false);
            _router.RecordProbe(name, succeeded: true);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
                                   && ex is ProviderException or ClientResultException or HttpRequestException or IOException or OperationCanceledException)
        {
            _router.RecordProbe(name, succeeded: false, ex is OperationCanceledException ? $"The probe took longer than {_options.Timeout}." : ex.Message);
        }
    }

    private TimeSpan NextDelay() =>
        _options.Interval * (1 + (_options.Jitter * ((_options.Random.NextDouble() * 2) - 1)));
}
