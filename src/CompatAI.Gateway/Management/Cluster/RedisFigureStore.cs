using System.Globalization;
using StackExchange.Redis;

namespace CompatAI.Gateway.Management.Cluster;

/// <summary>
/// The replicas' figures in Redis. Buckets: one hash per 15-second slot (<c>{prefix}gw:stats:{slot}</c>, kept a little over
/// an hour), fields <c>provider␟model␟metric</c>, the latency and time-to-first-token histograms as one field per bin, so
/// summed bins give percentiles over every replica. Usage: one hash per UTC day and month
/// (<c>{prefix}gw:usage:day:2026-12-01</c>, <c>{prefix}gw:usage:month:2026-12</c>), fields <c>provider␟model␟client␟metric</c>.
/// A batch is added by one script that first sets a marker for the batch's id, so a batch sent again counts once.
/// </summary>
internal sealed class RedisFigureStore
{
    private const char Separator = '\u001f';
    private static readonly TimeSpan s_batchMarkerLife = TimeSpan.FromHours(1);
    private static readonly TimeSpan s_statsLife = TimeSpan.FromSeconds((ProviderStatsStore.BucketCount * ProviderStatsStore.BucketSeconds) + 300);
    private static readonly TimeSpan s_dayLife = TimeSpan.FromDays(3);
    private static readonly TimeSpan s_monthLife = TimeSpan.FromDays(63);

    // KEYS[1]: the batch marker; KEYS[2..n]: hashes. ARGV[1]: the marker's life; ARGV[2..n]: each hash's life in seconds;
    // then triples (index into KEYS, field, increment).
    private const string AddScript = """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
        local n = #KEYS
        local i = n + 1
        while i <= #ARGV do
          redis.call('HINCRBYFLOAT', KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2])
          i = i + 3
        end
        for k = 2, n do redis.call('EXPIRE', KEYS[k], ARGV[k]) end
        return 1
        """;

    private readonly CompatRedisConnection _connection;

    public RedisFigureStore(CompatRedisConnection connection) => _connection = connection;

    /// <summary>Adds a batch (once, however often it is sent).</summary>
    public async Task AddAsync(FigureBatch batch)
    {
        var keys = new List<RedisKey> { BatchKey(batch.Id) };
        var lives = new List<RedisValue> { (long)s_batchMarkerLife.TotalSeconds };
        var ops = new List<RedisValue>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int KeyIndex(string name, TimeSpan life)
        {
            if (!index.TryGetValue(name, out var i))
            {
                keys.Add(_connection.Key(name));
                lives.Add((long)life.TotalSeconds);
                i = keys.Count;
                index[name] = i;
            }

            return i;
        }

        void Op(int key, string field, double value)
        {
            if (value != 0)
            {
                ops.Add(key);
                ops.Add(field);
                ops.Add(value.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        foreach (var ((provider, model, slot), b) in batch.Stats)
        {
            var key = KeyIndex(StatsKey(slot), s_statsLife);
            var prefix = provider + Separator + model + Separator;
            Op(key, prefix + "a", b.Attempts);
            Op(key, prefix + "s", b.Successes);
            Op(key, prefix + "f", b.Failures);
            Op(key, prefix + "k", b.Skipped);
            Op(key, prefix + "i", b.InputTokens);
            Op(key, prefix + "o", b.OutputTokens);
            Op(key, prefix + "ss", b.SuccessSeconds);
            Op(key, prefix + "lc", b.LatencyCount);
            Op(key, prefix + "tc", b.TtftCount);
            for (var bin = 0; bin < LogHistogram.Bins; bin++)
            {
                Op(key, prefix + "l" + bin.ToString(CultureInfo.InvariantCulture), b.Latency[bin]);
                Op(key, prefix + "t" + bin.ToString(CultureInfo.InvariantCulture), b.Ttft[bin]);
            }
        }

        foreach (var ((provider, model, client, period), d) in batch.Usage)
        {
            var key = KeyIndex(UsageKey(period), period.IsMonth ? s_monthLife : s_dayLife);
            var prefix = provider + Separator + model + Separator + client + Separator;
            Op(key, prefix + "r", d.Requests);
            Op(key, prefix + "i", d.InputTokens);
            Op(key, prefix + "o", d.OutputTokens);
            foreach (var (currency, amount) in d.Cost)
            {
                Op(key, prefix + "c:" + currency, amount);
            }
        }

        await _connection.Multiplexer.GetDatabase().ScriptEvaluateAsync(AddScript, [.. keys], [.. lives, .. ops]).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the last hour of buckets into <paramref name="table"/>, atomically (one transaction) with whether the batch
    /// <paramref name="batchId"/> is already in them, so that a batch being sent is counted exactly once by the caller.
    /// </summary>
    /// <returns>Whether the batch <paramref name="batchId"/> was added before the read (false when it is <see langword="null"/>).</returns>
    public async Task<bool> ReadStatsAsync(BucketTable table, long currentSlot, string? batchId)
    {
        var transaction = _connection.Multiplexer.GetDatabase().CreateTransaction();
        var added = batchId is null ? null : transaction.KeyExistsAsync(BatchKey(batchId));
        var slots = Enumerable.Range(0, ProviderStatsStore.BucketCount).Select(i => currentSlot - i).ToArray();
        var reads = slots.Select(slot => transaction.HashGetAllAsync(_connection.Key(StatsKey(slot)))).ToArray();
        await ExecuteAsync(transaction).ConfigureAwait(false);
        await Task.WhenAll(reads).ConfigureAwait(false);
        for (var i = 0; i < slots.Length; i++)
        {
            foreach (var entry in reads[i].Result)
            {
                var parts = entry.Name.ToString().Split(Separator);
                if (parts.Length != 3 || !TryRead(entry.Value, out var value))
                {
                    continue;
                }

                var bucket = table.BucketFor(parts[0], parts[1], slots[i]);
                var metric = parts[2];
                switch (metric)
                {
                    case "a": bucket.Attempts += (long)value; break;
                    case "s": bucket.Successes += (long)value; break;
                    case "f": bucket.Failures += (long)value; break;
                    case "k": bucket.Skipped += (long)value; break;
                    case "i": bucket.InputTokens += (long)value; break;
                    case "o": bucket.OutputTokens += (long)value; break;
                    case "ss": bucket.SuccessSeconds += value; break;
                    case "lc": bucket.LatencyCount += (long)value; break;
                    case "tc": bucket.TtftCount += (long)value; break;
                    default:
                        if (metric.Length > 1 && (metric[0] == 'l' || metric[0] == 't')
                            && int.TryParse(metric.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var bin) && bin < LogHistogram.Bins)
                        {
                            (metric[0] == 'l' ? bucket.Latency : bucket.Ttft)[bin] += (long)value;
                        }

                        break;
                }
            }
        }

        return added is not null && await added.ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the current day's and month's usage into <paramref name="table"/>, atomically with whether the batch
    /// <paramref name="batchId"/> is already in it (see <see cref="ReadStatsAsync"/>).
    /// </summary>
    /// <returns>Whether the batch <paramref name="batchId"/> was added before the read (false when it is <see langword="null"/>).</returns>
    public async Task<bool> ReadLedgerAsync(LedgerTable table, (DateTimeOffset Day, DateTimeOffset Month) periods, string? batchId)
    {
        var transaction = _connection.Multiplexer.GetDatabase().CreateTransaction();
        var added = batchId is null ? null : transaction.KeyExistsAsync(BatchKey(batchId));
        UsagePeriod[] wanted = [new(false, periods.Day), new(true, periods.Month)];
        var reads = wanted.Select(p => transaction.HashGetAllAsync(_connection.Key(UsageKey(p)))).ToArray();
        await ExecuteAsync(transaction).ConfigureAwait(false);
        await Task.WhenAll(reads).ConfigureAwait(false);
        for (var i = 0; i < wanted.Length; i++)
        {
            foreach (var entry in reads[i].Result)
            {
                var parts = entry.Name.ToString().Split(Separator);
                if (parts.Length != 4 || !TryRead(entry.Value, out var value))
                {
                    continue;
                }

                var metric = parts[3];
                var (requests, input, output) = metric switch
                {
                    "r" => ((long)value, 0L, 0L),
                    "i" => (0L, (long)value, 0L),
                    "o" => (0L, 0L, (long)value),
                    _ => (0L, 0L, 0L),
                };
                var cost = metric.StartsWith("c:", StringComparison.Ordinal) && metric.Length == 5
                    ? new Dictionary<string, double>(StringComparer.Ordinal) { [metric[2..]] = value }
                    : (IReadOnlyDictionary<string, double>)EmptyCost;
                table.Add(parts[0], parts[1], parts[2], wanted[i], requests, input, output, cost);
            }
        }

        return added is not null && await added.ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(ITransaction transaction)
    {
        // A transaction without conditions always executes; false would mean Redis discarded it.
        if (!await transaction.ExecuteAsync().ConfigureAwait(false))
        {
            throw new RedisException("Redis discarded the transaction that reads the figures.");
        }
    }

    private RedisKey BatchKey(string batchId) => _connection.Key("gw:batch:" + batchId);

    private static readonly Dictionary<string, double> EmptyCost = new(StringComparer.Ordinal);

    private static string StatsKey(long slot) => "gw:stats:" + slot.ToString(CultureInfo.InvariantCulture);

    private static string UsageKey(UsagePeriod period) => "gw:usage:" + period.Name;

    private static bool TryRead(RedisValue value, out double result) =>
        double.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out result);
}
