using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;

// A loopback load balancer for the scale-out benchmark: every path is proxied, round-robin, to the comma-separated
// base URLs in Backends (for example --Backends http://127.0.0.1:18101,http://127.0.0.1:18102). No health checks, no
// session affinity: each request may land on any replica, which is what the gateway's shared state has to survive.
var builder = WebApplication.CreateBuilder(args);
var backends = (builder.Configuration["Backends"] ?? "")
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
if (backends.Length == 0)
{
    Console.Error.WriteLine("Usage: ScaleoutProxy --urls http://127.0.0.1:PORT --Backends http://127.0.0.1:A[,http://127.0.0.1:B...]");
    return 2;
}

builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "replicas", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [
        new ClusterConfig
        {
            ClusterId = "replicas",
            LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
            Destinations = backends.Select((address, i) => (address, i))
                .ToDictionary(d => $"replica-{d.i + 1}", d => new DestinationConfig { Address = d.address }, StringComparer.Ordinal),
        },
    ]);

var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
return 0;
