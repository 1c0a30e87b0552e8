namespace CompatAI.Gateway.Management;

/// <summary>The last N routing decisions, newest first; a fixed-size ring.</summary>
internal sealed class RoutingDecisionLog
{
    private readonly RoutingDecision?[] _ring;
    private readonly Lock _lock = new();
    private long _count;

    public RoutingDecisionLog(int capacity) => _ring = new RoutingDecision?[capacity];

    public long Total
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void Record(RoutingDecision decision)
    {
        lock (_lock)
        {
            _ring[_count % _ring.Length] = decision;
            _count++;
        }
    }

    public IReadOnlyList<RoutingDecision> Recent()
    {
        lock (_lock)
        {
            var n = (int)Math.Min(_count, _ring.Length);
            var list = new List<RoutingDecision>(n);
            for (var i = 1; i <= n; i++)
            {
                list.Add(_ring[(_count - i) % _ring.Length]!);
            }

            return list;
        }
    }
}

/// <summary>One attempt within a routing decision.</summary>
/// <param name="Provider">The provider's gateway prefix.</param>
/// <param name="Outcome"><c>success</c>, <c>circuit_open</c> (skipped) or the error kind.</param>
internal sealed record RoutingAttempt(string Provider, string Outcome);

/// <summary>How one request to a routed model (a fallback chain) was served.</summary>
internal sealed record RoutingDecision(
    DateTimeOffset Time,
    string RequestId,
    string Route,
    string Strategy,
    string? Chosen,
    IReadOnlyList<RoutingAttempt> Attempts,
    string Reason,
    double LatencyMs);

/// <summary>One ensemble request as its pipeline reported it.</summary>
internal sealed record EnsembleOutcome(DateTimeOffset Time, string RequestId, string Provider, string Mode, string? Winner, int? Members, double LatencyMs);

/// <summary>The last N ensemble outcomes, newest first; a fixed-size ring.</summary>
internal sealed class EnsembleLog
{
    private readonly EnsembleOutcome?[] _ring;
    private readonly Lock _lock = new();
    private long _count;

    public EnsembleLog(int capacity) => _ring = new EnsembleOutcome?[capacity];

    public long Total
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void Record(EnsembleOutcome outcome)
    {
        lock (_lock)
        {
            _ring[_count % _ring.Length] = outcome;
            _count++;
        }
    }

    public IReadOnlyList<EnsembleOutcome> Recent()
    {
        lock (_lock)
        {
            var n = (int)Math.Min(_count, _ring.Length);
            var list = new List<EnsembleOutcome>(n);
            for (var i = 1; i <= n; i++)
            {
                list.Add(_ring[(_count - i) % _ring.Length]!);
            }

            return list;
        }
    }
}
