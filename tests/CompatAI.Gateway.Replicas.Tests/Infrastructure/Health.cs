using System.Diagnostics;
using System.Text.Json;

namespace CompatAI.Gateway.Replicas.Tests.Infrastructure;

/// <summary>Reads a replica's <c>/healthz</c> and waits for it to reach a state (state changes follow Redis's connection).</summary>
internal static class Health
{
    /// <summary>Gets the <c>status</c> of <c>/healthz</c>, with the whole body.</summary>
    public static async Task<(string Status, string Body)> ReadAsync(GatewayReplica replica)
    {
        using var response = await replica.Http.GetAsync("healthz");
        var body = await response.Content.ReadAsStringAsync();
        var status = JsonDocument.Parse(body).RootElement.GetProperty("status").GetString() ?? "";
        return (status, body);
    }

    /// <summary>Polls every replica's <c>/healthz</c> until its status is <paramref name="expected"/>; fails with the last bodies.</summary>
    public static async Task WaitForAsync(ReplicaCluster cluster, string expected, TimeSpan deadline)
    {
        var stopwatch = Stopwatch.StartNew();
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var all = true;
            foreach (var replica in cluster.Replicas)
            {
                var (status, body) = await ReadAsync(replica);
                last[replica.Name] = body;
                all &= string.Equals(status, expected, StringComparison.OrdinalIgnoreCase);
            }

            if (all)
            {
                return;
            }

            if (stopwatch.Elapsed > deadline)
            {
                Assert.Fail($"not every replica reported '{expected}' within {deadline.TotalSeconds:0} s: "
                    + string.Join("; ", last.Select(l => $"{l.Key}: {l.Value}")) + "\n" + cluster.Diagnostics());
            }

            await Task.Delay(200);
        }
    }
}
