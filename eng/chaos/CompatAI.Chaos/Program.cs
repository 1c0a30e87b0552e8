using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using CompatAI.Emulator;
using CompatAI.Reliability.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

// The long runs of the fault suite (the bounded versions run in tests/CompatAI.Reliability on every change).
//   dotnet run -c Release --project eng/chaos/CompatAI.Chaos -- soak 100000
// Soak: requests through the real gateway to the provider emulator, mixed JSON and SSE, 10% injected faults (the
// emulator's X-Emulator-Fault header, forwarded by the gateway), 10% clients that disconnect mid-stream. At the end:
// every request accounted for, RSS per quarter (flat within 10% between the second and the last), no request, gateway
// connection or upstream request left open. Exit code 1 when a check fails.
var mode = args.Length > 0 ? args[0] : "soak";
var total = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
if (mode != "soak")
{
    Console.Error.WriteLine("Usage: CompatAI.Chaos soak [requests]   (the 100,000-request fuzz run is: dotnet test tests/CompatAI.Reliability with COMPATAI_FUZZ_COUNT=100000)");
    return 2;
}

string[] faults = ["status=500", "status=503", "status=429;retry-after=1", "reset", "cut-after=2", "error-after=2"];
await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1" });
await using var gateway = await GatewayHost.StartAsync(
    GatewayHost.UpstreamConfiguration(
        emulator.GetEndpoint("openai"),
        "openai",
        ("CompatAI:Providers:flaky:Timeout", "00:05:00"),
        ("CompatAI:Providers:flaky:ApiKey", "emulator-key"),
        ("CompatAI:Gateway:ForwardHeaders:0", "X-Emulator-Fault"),
        ("CompatAI:Gateway:Limits:MaxConcurrentRequests", "256")),
    captureLogs: false);
using var meters = new ServerMeters(gateway.Services.GetRequiredService<IMeterFactory>());
using var client = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

var outcomes = new ConcurrentDictionary<string, int>();
var rss = new long[4];
var done = 0;
long upstreamSeen = 0;
var clock = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
{
    var stream = i % 2 == 1;
    var fault = i % 10 == 0 ? faults[(i / 10) % faults.Length] : null;
    var leave = i % 10 == 5;
    var body = $$"""{"model":"flaky/m","stream":{{(stream || leave ? "true" : "false")}},"messages":[{"role":"user","content":"one two three four five six seven eight"}]}""";
    string outcome;
    try
    {
        outcome = fault is null
            ? await GatewayCalls.SendAsync(client, body, leave, text => text.Length > 0, ct)
            : await SendWithFaultAsync(client, body, fault, ct);
    }
    catch (HttpRequestException ex)
    {
        outcome = "dropped: " + ex.Message;
    }

    var expected = fault is not null ? "typed-error" : leave ? "disconnected" : "served";
    outcomes.AddOrUpdate(outcome == expected ? expected : $"UNEXPECTED {outcome} (expected {expected})", 1, (_, n) => n + 1);
    var finished = Interlocked.Increment(ref done);
    if (finished % (total / 4) == 0)
    {
        // The emulator records every request it serves; count and drop them so its own memory does not grow.
        Interlocked.Add(ref upstreamSeen, emulator.Requests.Count);
        emulator.ClearRequests();
        GC.Collect();
        rss[(finished / (total / 4)) - 1] = Process.GetCurrentProcess().WorkingSet64;
    }
});

for (var i = 0; i < 600 && (meters.ActiveRequests > 0 || meters.ActiveConnections > 0); i++)
{
    await Task.Delay(50);
}

client.Dispose();
for (var i = 0; i < 600 && meters.ActiveConnections > 0; i++)
{
    await Task.Delay(50);
}

Console.WriteLine($"requests: {total}, elapsed: {clock.Elapsed.TotalSeconds:0} s");
foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"  {outcome}: {count}");
}

Console.WriteLine("RSS after each quarter (MB): " + string.Join(", ", rss.Select(r => (r / 1024 / 1024).ToString(CultureInfo.InvariantCulture))));
Console.WriteLine($"gateway requests still active: {meters.ActiveRequests}, gateway connections still open: {meters.ActiveConnections}, requests that reached the emulator: {upstreamSeen + emulator.Requests.Count}");
var accounted = outcomes.Where(o => !o.Key.StartsWith("UNEXPECTED", StringComparison.Ordinal)).Sum(o => o.Value) == total;
var flat = Math.Abs(rss[3] - rss[1]) <= rss[1] / 10;
var closed = meters.ActiveRequests == 0 && meters.ActiveConnections == 0;
Console.WriteLine($"accounted: {accounted}, RSS flat (Q2 vs Q4 within 10%): {flat}, nothing left open: {closed}");
return accounted && flat && closed ? 0 : 1;

static async Task<string> SendWithFaultAsync(HttpClient client, string body, string fault, CancellationToken cancellationToken)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
    request.Headers.TryAddWithoutValidation("X-Emulator-Fault", fault);
    using var response = await client.SendAsync(request, cancellationToken);
    var text = await response.Content.ReadAsStringAsync(cancellationToken);
    if ((int)response.StatusCode >= 400)
    {
        return text.Contains("\"error\"", StringComparison.Ordinal) ? "typed-error" : "untyped-error";
    }

    return text.TrimEnd().EndsWith("}", StringComparison.Ordinal) && text.Contains("event: error", StringComparison.Ordinal) ? "typed-error" : "fault not surfaced: " + text[..Math.Min(200, text.Length)];
}
