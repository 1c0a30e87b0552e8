using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace CompatAI.Benchmarks;

/// <summary>
/// What failing over to the next candidate costs beyond that candidate's own call (issue 9: under 1 ms): a
/// <see cref="RouterChatClient"/> and a <see cref="FallbackChatClient"/> whose first candidate answers at once with a
/// canned HTTP 500 (or a 429 without Retry-After) and whose second answers the canned completion, against calling the
/// second candidate directly (the baseline). Every client is <see cref="CompatChatClient.Create"/> over an in-process
/// <see cref="CannedResponseHandler"/> with retries off, so the difference is the failed attempt (request built, error
/// read into a <see cref="ProviderException"/>, classified) plus the router's or chain's own work. The circuit breaker
/// is off, so every request really tries the failing candidate first. Run with <c>-- --failover --filter '*'</c>.
/// </summary>
[MemoryDiagnoser]
public class FailoverBenchmarks
{
    private static readonly byte[] s_serverError = Encoding.UTF8.GetBytes("""{"error":{"message":"The server had an error while processing your request.","type":"server_error","code":null}}""");
    private static readonly byte[] s_rateLimited = Encoding.UTF8.GetBytes("""{"error":{"message":"Rate limit reached for requests.","type":"requests","code":"rate_limit_exceeded"}}""");
    private readonly List<IDisposable> _owned = [];
    private IChatClient _second = null!;
    private RouterChatClient _router500 = null!;
    private RouterChatClient _router429 = null!;
    private FallbackChatClient _fallback500 = null!;
    private List<ChatMessage> _messages = null!;

    [GlobalSetup]
    public void Setup()
    {
        _messages = BenchClients.AIMessages();
        _second = Client("openai", new CannedResponseHandler(CannedResponses.ChatCompletionJson, "application/json"));
        _router500 = Router(HttpStatusCode.InternalServerError, s_serverError);
        _router429 = Router(HttpStatusCode.TooManyRequests, s_rateLimited);
        _fallback500 = new FallbackChatClient([Failing(HttpStatusCode.InternalServerError, s_serverError), Client("openai", new CannedResponseHandler(CannedResponses.ChatCompletionJson, "application/json"))], Failover());

        // Fail fast unless each row does what its name says: the second candidate answers, after one failed attempt.
        foreach (var client in new IChatClient[] { _router500, _router429, _fallback500 })
        {
            var response = client.GetResponseAsync(_messages).GetAwaiter().GetResult();
            if (response.AdditionalProperties?[FallbackChatClient.AttemptsKey] is not 2 || response.Text.Length == 0)
            {
                throw new InvalidOperationException($"{client.GetType().Name} did not fail over to the second candidate.");
            }
        }
    }

    /// <summary>The second candidate alone: what the request costs without a failover.</summary>
    [Benchmark(Baseline = true)]
    public Task<ChatResponse> SecondDirectly() => _second.GetResponseAsync(_messages);

    /// <summary>The router: the first choice answers 500, the request moves to the second.</summary>
    [Benchmark]
    public Task<ChatResponse> RouterAfter500() => _router500.GetResponseAsync(_messages);

    /// <summary>The router: the first choice answers 429 (no Retry-After, so no cooldown), the request moves to the second.</summary>
    [Benchmark]
    public Task<ChatResponse> RouterAfter429() => _router429.GetResponseAsync(_messages);

    /// <summary>The fixed chain: the first answers 500, the second serves.</summary>
    [Benchmark]
    public Task<ChatResponse> FallbackAfter500() => _fallback500.GetResponseAsync(_messages);

    /// <summary>Releases the clients.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static FallbackOptions Failover() => new() { CircuitBreaker = { Enabled = false } };

    private RouterChatClient Router(HttpStatusCode status, byte[] body)
    {
        var options = new RouterOptions { Strategy = RoutingStrategy.Quality, Failover = Failover() };
        var router = new RouterChatClient(
            [
                new RouteCandidate(Failing(status, body)) { Name = "first", Quality = 1 },
                new RouteCandidate(Client("openai", new CannedResponseHandler(CannedResponses.ChatCompletionJson, "application/json"))) { Name = "second", Quality = 0.5 },
            ],
            options);
        _owned.Add(router);
        return router;
    }

    private IChatClient Failing(HttpStatusCode status, byte[] body) => Client("groq", new CannedResponseHandler(body, "application/json", status));

    private IChatClient Client(string provider, HttpMessageHandler handler)
    {
        var http = new HttpClient(handler);
        _owned.Add(http);
        return CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = provider,
            Endpoint = new Uri($"http://bench.local/{provider}/v1"),
            ApiKey = "sk-bench",
            Model = BenchClients.Model,
            HttpClient = http,
            Retry = { MaxRetries = 0 },
        });
    }
}
