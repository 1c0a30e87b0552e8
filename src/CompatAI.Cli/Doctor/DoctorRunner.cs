using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace CompatAI.Cli;

/// <summary>Runs the doctor's checks in order, each one building on the ones before.</summary>
internal sealed class DoctorRunner(ConnectionSettings settings, Action<string>? progress = null)
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(5);
    private readonly List<CheckResult> _checks = [];

    public async Task<DoctorReport> RunAsync(CancellationToken cancellationToken)
    {
        var profile = settings.Profile;
        Add(settings.Configuration);
        if (profile is null || settings.Configuration.Status == CheckStatus.Fail)
        {
            SkipRest("configuration");
            return Report();
        }

        Add(CheckApiKey(profile));

        if (settings.Endpoint is not { } endpoint)
        {
            Add(CheckResult.Fail("endpoint", $"provider '{profile.Name}' has no base URL",
                profile.EndpointTemplate is { } template ? $"Set {settings.SectionPath}:Endpoint to {template} with your values filled in." : $"Set {settings.SectionPath}:Endpoint or pass --endpoint."));
            SkipRest("endpoint");
            return Report();
        }

        Report(progress, "reachability");
        var reach = await CheckReachabilityAsync(endpoint, cancellationToken);
        Add(reach);
        if (reach.Status == CheckStatus.Fail)
        {
            SkipRest("reachability");
            return Report();
        }

        using var http = new EndpointClient(profile.Headers, settings.ClientOptions.Timeout ?? TimeSpan.FromSeconds(30));
        var credential = new Credential(profile.AuthStyle, settings.ApiKey, profile.AuthHeaderName);

        Report(progress, "base URL");
        var (baseCheck, workingBase, models) = await CheckBaseUrlAsync(http, endpoint, credential, cancellationToken);
        Add(baseCheck);
        if (workingBase is null)
        {
            SkipRest("base-url");
            return Report();
        }

        Report(progress, "auth");
        var (authCheck, modelList) = await CheckAuthAsync(http, workingBase, credential, models, profile, cancellationToken);
        Add(authCheck);

        var modelCheck = CheckModel(modelList);
        Add(modelCheck);

        var blocker = new[] { baseCheck, authCheck, modelCheck }.FirstOrDefault(c => c.Status == CheckStatus.Fail);
        if (blocker is not null)
        {
            SkipRest(blocker.Name);
            return Report();
        }

        var options = settings.ClientOptions;
        options.Endpoint = workingBase;
        options.ApiKey = settings.ApiKey;
        options.Model = settings.Model;
        options.Retry = new RetryOptions { MaxRetries = 0 };
        using var client = CompatChatClient.Create(options);

        Report(progress, "chat");
        Add(await CheckChatAsync(client, cancellationToken));
        Report(progress, "streaming");
        Add(await CheckStreamingAsync(client, cancellationToken));
        Report(progress, "tools");
        Add(await CheckToolsAsync(client, cancellationToken));
        return Report();
    }

    private DoctorReport Report() => new(settings.Name, settings.Endpoint is { } e ? Redact(e) : null, settings.Model, _checks);

    private static void Report(Action<string>? progress, string step) => progress?.Invoke($"Checking {step}…");

    private void Add(CheckResult result) => _checks.Add(result);

    private void SkipRest(string because)
    {
        string[] all = ["api-key", "endpoint", "reachability", "base-url", "auth", "model", "chat", "streaming", "tools"];
        foreach (var name in all.Where(n => _checks.All(c => c.Name != n)))
        {
            if (name == "endpoint")
            {
                continue;
            }

            _checks.Add(CheckResult.Skip(name, $"skipped: {because} failed"));
        }
    }

    private CheckResult CheckApiKey(ProviderProfile profile)
    {
        if (settings.ApiKey is not null)
        {
            return CheckResult.Pass("api-key", $"set (from {settings.ApiKeySource}; value not shown)");
        }

        var where = profile.ApiKeyEnvironmentVariable is { } env ? $"{settings.SectionPath}:ApiKey or the {env} environment variable" : $"{settings.SectionPath}:ApiKey";
        return profile.RequiresApiKey
            ? CheckResult.Fail("api-key", $"no API key for provider '{profile.Name}'", $"Set {where}.")
            : CheckResult.Pass("api-key", $"none set; provider '{profile.Name}' does not require one");
    }

    internal static async Task<CheckResult> CheckReachabilityAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var host = endpoint.Host;
        var port = endpoint.Port;
        try
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(host, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_connectTimeout);
            using var tcp = new TcpClient(addresses[0].AddressFamily);
            await tcp.ConnectAsync(addresses, port, timeout.Token);
            return CheckResult.Pass("reachability", $"TCP {host}:{port} open ({endpoint.Scheme})");
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return CheckResult.Fail("reachability", $"connection to {host}:{port} refused",
                $"Nothing listens on {host}:{port}. Start the server, or correct the host and port of the endpoint.");
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            return CheckResult.Fail("reachability", $"DNS: host '{host}' not found ({ex.SocketErrorCode})", "Check the host name of the endpoint (typo, VPN, proxy).");
        }
        catch (SocketException ex)
        {
            return CheckResult.Fail("reachability", $"cannot connect to {host}:{port}: {ex.SocketErrorCode}", "Check the host, the port and any firewall or proxy in between.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Fail("reachability", $"no TCP answer from {host}:{port} within {s_connectTimeout.TotalSeconds:0} s",
                "A firewall or proxy may drop the connection; check the host and port.");
        }
    }

    private async Task<(CheckResult Check, Uri? WorkingBase, HttpAttempt? Models)> CheckBaseUrlAsync(
        EndpointClient http, Uri endpoint, Credential credential, CancellationToken cancellationToken)
    {
        var configured = Redact(endpoint);
        var first = await http.GetAsync(endpoint, "models", credential, cancellationToken);
        if (first.Error is not null)
        {
            return (CheckResult.Fail("base-url", $"GET {first.Url} failed: {first.Describe()}",
                endpoint.Scheme == "https" ? "The TLS handshake or the HTTP exchange failed; check the URL scheme (http/https) and certificates." : "Check the URL scheme and port."), null, null);
        }

        var endsWithChat = endpoint.AbsolutePath.TrimEnd('/').EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase);
        if (!endsWithChat && RouteExists(first))
        {
            return (CheckResult.Pass("base-url", $"{configured} answers GET /models (HTTP {first.StatusCode})"), endpoint, first);
        }

        foreach (var candidate in Candidates(endpoint))
        {
            var attempt = await http.GetAsync(candidate, "models", credential, cancellationToken);
            if (RouteExists(attempt))
            {
                var why = endsWithChat
                    ? $"{configured} ends with /chat/completions, which the client adds itself"
                    : $"GET {Redact(first.Url)} answered HTTP {first.StatusCode}, GET {Redact(attempt.Url)} answered HTTP {attempt.StatusCode}";
                return (CheckResult.Fail("base-url", why, $"Set {settings.SectionPath}:Endpoint to {Redact(candidate)}"), candidate, attempt);
            }
        }

        return (CheckResult.Fail("base-url", $"GET {Redact(first.Url)} answered {first.Describe()}; no /v1 variant answers either",
            "Use the provider's documented base URL: the part before /chat/completions, usually ending in /v1."), null, null);
    }

    private static bool RouteExists(HttpAttempt attempt) =>
        attempt.IsAuthError || (attempt.IsSuccess && attempt.Json?["data"] is JsonArray);

    private static IEnumerable<Uri> Candidates(Uri endpoint)
    {
        var text = endpoint.AbsoluteUri.TrimEnd('/');
        if (text.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^"/chat/completions".Length];
            yield return new Uri(text);
        }

        if (text.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            yield return new Uri(text[..^3]);
        }
        else
        {
            yield return new Uri(text + "/v1");
        }
    }

    private async Task<(CheckResult Check, IReadOnlyList<string>? Models)> CheckAuthAsync(
        EndpointClient http, Uri baseUrl, Credential credential, HttpAttempt? models, ProviderProfile profile, CancellationToken cancellationToken)
    {
        models ??= await http.GetAsync(baseUrl, "models", credential, cancellationToken);
        if (models.IsSuccess)
        {
            var how = settings.ApiKey is null ? "the service answered without a key" : $"key accepted as {credential.Describe()}";
            return (CheckResult.Pass("auth", how), ModelIds(models));
        }

        if (!models.IsAuthError)
        {
            return (CheckResult.Warn("auth", $"GET /models answered {models.Describe()}; auth is checked by the chat call"), null);
        }

        if (settings.ApiKey is null)
        {
            var where = profile.ApiKeyEnvironmentVariable is { } env ? $"{settings.SectionPath}:ApiKey or {env}" : $"{settings.SectionPath}:ApiKey";
            return (CheckResult.Fail("auth", $"the service wants a key ({models.Describe()})", $"Set {where}."), null);
        }

        foreach (var style in Credential.Candidates.Where(s => s != credential.Style))
        {
            var other = credential with { Style = style };
            var attempt = await http.GetAsync(baseUrl, "models", other, cancellationToken);
            if (attempt.IsSuccess)
            {
                return (CheckResult.Fail("auth",
                    $"key refused as {credential.Describe()} (HTTP {models.StatusCode}) but accepted as {other.Describe()}",
                    $"Set {CompatAIConfiguration.SectionName}:Profiles:{profile.Name}:AuthStyle to {style}."), ModelIds(attempt));
            }
        }

        return (CheckResult.Fail("auth", $"key refused in every header style ({models.Describe()})",
            $"The key from {settings.ApiKeySource} is wrong, expired or for another service; create a new one in the provider's console."), null);
    }

    private static IReadOnlyList<string>? ModelIds(HttpAttempt attempt) =>
        attempt.Json?["data"] is JsonArray data
            ? [.. data.Select(m => m?["id"] is JsonValue v && v.TryGetValue<string>(out var id) ? id : null).OfType<string>()]
            : null;

    private CheckResult CheckModel(IReadOnlyList<string>? models)
    {
        if (settings.Model is not { } model)
        {
            return CheckResult.Fail("model", "no model configured and the profile has no default", $"Set {settings.SectionPath}:Model or pass --model (compatai models lists them).");
        }

        if (models is null)
        {
            return CheckResult.Warn("model", $"'{model}' (the service's model list is not available to check it)");
        }

        if (models.Contains(model, StringComparer.Ordinal))
        {
            return CheckResult.Pass("model", $"'{model}' is served ({models.Count} models listed)");
        }

        var near = models.FirstOrDefault(m => string.Equals(m, model, StringComparison.OrdinalIgnoreCase));
        var sample = string.Join(", ", models.Take(5)) + (models.Count > 5 ? ", …" : string.Empty);
        return CheckResult.Fail("model", $"'{model}' is not among the {models.Count} models the service lists",
            near is not null ? $"Model ids are case-sensitive: use '{near}'." : $"Set {settings.SectionPath}:Model to a served model: {sample} (run 'compatai models').");
    }

    private static async Task<CheckResult> CheckChatAsync(IChatClient client, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetResponseAsync("Reply with one word: OK", new ChatOptions { MaxOutputTokens = 1 }, cancellationToken);
            var usage = response.Usage is { } u ? $", usage {u.InputTokenCount} in / {u.OutputTokenCount} out" : string.Empty;
            return CheckResult.Pass("chat", $"one-token chat answered (finish: {response.FinishReason?.Value ?? "none"}{usage})");
        }
        catch (ProviderException ex)
        {
            return CheckResult.Fail("chat", $"{ex.Kind}: {ex.Message}", FixFor(ex));
        }
    }

    private static async Task<CheckResult> CheckStreamingAsync(IChatClient client, CancellationToken cancellationToken)
    {
        try
        {
            var updates = 0;
            var text = 0;
            await foreach (var update in client.GetStreamingResponseAsync("Say hello.", new ChatOptions { MaxOutputTokens = 16 }, cancellationToken))
            {
                updates++;
                text += update.Text.Length;
            }

            return text > 0
                ? CheckResult.Pass("streaming", $"{updates} updates streamed")
                : CheckResult.Warn("streaming", $"{updates} updates but no text", "The service streams without content; check the model, or run 'compatai probe' to see the stream shape.");
        }
        catch (ProviderException ex)
        {
            return CheckResult.Fail("streaming", $"{ex.Kind}: {ex.Message}", FixFor(ex));
        }
    }

    private static async Task<CheckResult> CheckToolsAsync(IChatClient client, CancellationToken cancellationToken)
    {
        var tool = AIFunctionFactory.Create(() => "12:00", "get_time", "Returns the current time.");
        try
        {
            var response = await client.GetResponseAsync("What time is it? Use the get_time tool.", new ChatOptions { Tools = [tool] }, cancellationToken);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            return calls.Count > 0
                ? CheckResult.Pass("tools", $"tool call received ({string.Join(", ", calls.Select(c => c.Name))})")
                : CheckResult.Warn("tools", "the model answered without calling the tool", "This model may not support tool calling; pick a tool-capable model if you need tools.");
        }
        catch (ProviderException ex)
        {
            return CheckResult.Fail("tools", $"{ex.Kind}: {ex.Message}", FixFor(ex) + " Tool calling may be unsupported by this model.");
        }
    }

    private static string FixFor(ProviderException ex) => ex.Kind switch
    {
        ProviderErrorKind.Authentication => "Check the API key and the profile's AuthStyle.",
        ProviderErrorKind.RateLimited or ProviderErrorKind.QuotaExceeded or ProviderErrorKind.InsufficientCredits => "The service limits your rate, quota or credit; wait, or check the plan.",
        ProviderErrorKind.NotFound => "Check the model id and the base URL.",
        ProviderErrorKind.InvalidRequest => "The service rejects part of the request; run 'compatai probe --endpoint <url>' to learn its rules.",
        _ => "Retry later; if it persists, check the provider's status page.",
    };

    [return: NotNullIfNotNull(nameof(url))]
    internal static string? Redact(Uri? url) =>
        url is null ? null : string.IsNullOrEmpty(url.UserInfo) ? url.AbsoluteUri.TrimEnd('/') : new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri.AbsoluteUri.TrimEnd('/');
}
