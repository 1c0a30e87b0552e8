namespace CompatAI.Emulator;

/// <summary>Faults waiting for the next requests, per personality ("*" matches any personality).</summary>
internal sealed class FaultQueue
{
    public const string AnyPersonality = "*";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<EmulatorFault>> _pending = new(StringComparer.OrdinalIgnoreCase);

    public void Enqueue(string personality, EmulatorFault fault)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(personality, out var queue))
            {
                queue = new Queue<EmulatorFault>();
                _pending[personality] = queue;
            }

            for (var i = 0; i < fault.Times; i++)
            {
                queue.Enqueue(fault);
            }
        }
    }

    public EmulatorFault? TryTake(string personality)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(personality, out var own) && own.TryDequeue(out var fault))
            {
                return fault;
            }

            return _pending.TryGetValue(AnyPersonality, out var any) && any.TryDequeue(out var shared) ? shared : null;
        }
    }
}
