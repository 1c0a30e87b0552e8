namespace CompatAI.Gateway.Management;

/// <summary>The last N entries (routing decisions, ensemble outcomes), newest first; a fixed-size ring.</summary>
/// <typeparam name="T">The entry type.</typeparam>
internal sealed class RecentLog<T>
    where T : class
{
    private readonly T?[] _ring;
    private readonly Lock _lock = new();
    private long _count;

    public RecentLog(int capacity) => _ring = new T?[capacity];

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

    public void Record(T entry)
    {
        lock (_lock)
        {
            _ring[_count % _ring.Length] = entry;
            _count++;
        }
    }

    public IReadOnlyList<T> Recent()
    {
        lock (_lock)
        {
            var n = (int)Math.Min(_count, _ring.Length);
            var list = new List<T>(n);
            for (var i = 1; i <= n; i++)
            {
                list.Add(_ring[(_count - i) % _ring.Length]!);
            }

            return list;
        }
    }
}
