using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CompatAI.Gateway.Replicas.Tests.Infrastructure;

/// <summary>
/// One gateway replica: <c>dotnet CompatAI.Gateway.dll --urls http://127.0.0.1:PORT</c> as a separate process,
/// configured only by environment variables (<c>CompatAI__Redis__Configuration</c>, ...), as a container would run it.
/// Its output is kept (the last lines) for failure messages; disposing kills the process tree.
/// </summary>
internal sealed class GatewayReplica : IAsyncDisposable
{
    private const int KeptLines = 400;

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly Lock _outputGate = new();

    private GatewayReplica(string name, int port, Process process)
    {
        Name = name;
        Port = port;
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Gets the replica's name in messages (<c>replica-1</c>, ...).</summary>
    public string Name { get; }

    /// <summary>Gets the loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Gets <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets a client with <see cref="BaseAddress"/>.</summary>
    public HttpClient Http { get; }

    /// <summary>Gets whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts the process; call <see cref="WaitUntilReadyAsync"/> before sending requests.</summary>
    public static GatewayReplica Start(string name, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "CompatAI.Gateway.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The gateway was not found at {dll}; the test project references it so the build copies it there.");
        }

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_URLS", "PORT", "HOST" })
        {
            start.Environment.Remove(inherited);
        }

        // Only warnings and errors, so the kept output is what matters when a test fails.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var replica = new GatewayReplica(name, port, process);
        process.OutputDataReceived += (_, e) => replica.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => replica.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return replica;
    }

    /// <summary>
    /// Polls <c>/healthz</c> until it answers 200 with <c>"status":"ok"</c> (with Redis configured, a replica answers
    /// <c>degraded</c> until its connection is up, and would serve with its own state meanwhile), failing with the process output if it exits or never does.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan deadline)
    {
        var stopwatch = Stopwatch.StartNew();
        string last = "no answer yet";
        while (stopwatch.Elapsed < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before it was ready.\n{Output()}");
            }

            try
            {
                using var health = await Http.GetAsync("healthz");
                var body = await health.Content.ReadAsStringAsync();
                if (health.StatusCode == HttpStatusCode.OK && IsOk(body))
                {
                    return;
                }

                last = $"/healthz answered {(int)health.StatusCode}: {body}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message; // not listening yet: poll again
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"{Name} was not ready within {deadline.TotalSeconds:0} s (last: {last}).\n{Output()}");
    }

    /// <summary>Gets the replica's last output lines, for failure messages.</summary>
    public string Output()
    {
        lock (_outputGate)
        {
            return $"--- {Name} (port {Port}) output, last {_output.Count} lines ---\n{string.Join('\n', _output)}";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputGate)
        {
            _output.Enqueue(line);
            while (_output.Count > KeptLines)
            {
                _output.Dequeue();
            }
        }
    }

    private static bool IsOk(string body)
    {
        try
        {
            return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("status").GetString() == "ok";
        }
        catch (System.Text.Json.JsonException)
        {
            return false; // not the gateway's JSON (yet): poll again
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
