using System.Diagnostics.Metrics;

namespace CompatAI.Reliability.Infrastructure;

/// <summary>Live counts of the gateway's own Kestrel connections and in-flight requests, from its meters.</summary>
internal sealed class ServerMeters : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _activeRequests;
    private long _activeConnections;
    private long _requestsSeen;

    public ServerMeters(IMeterFactory gatewayMeters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, gatewayMeters) && instrument.Name is "http.server.active_requests" or "kestrel.active_connections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "http.server.active_requests")
            {
                Interlocked.Add(ref _activeRequests, value);
                if (value > 0)
                {
                    Interlocked.Increment(ref _requestsSeen);
                }
            }
            else
            {
                Interlocked.Add(ref _activeConnections, value);
            }
        });
        _listener.Start();
    }

    public long ActiveRequests => Interlocked.Read(ref _activeRequests);

    public long ActiveConnections => Interlocked.Read(ref _activeConnections);

    /// <summary>How many requests the meters saw start: proves the counts above are live, not just never set.</summary>
    public long RequestsSeen => Interlocked.Read(ref _requestsSeen);

    public void Dispose() => _listener.Dispose();
}
