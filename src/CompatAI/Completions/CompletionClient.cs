using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// A client for the legacy text completions endpoint (<c>/completions</c>), which base models and fill-in-the-middle
/// code completion still need and which the OpenAI .NET SDK 2.x has no typed client for. It sends through the same
/// System.ClientModel pipeline as CompatAI's chat client (endpoint, auth style, headers, retry with Retry-After, HTTP/1.1,
/// the wire repairs), so failures are <see cref="ProviderException"/>s, and routes to the path the provider's profile
/// names (DeepSeek's fill-in-the-middle lives under <c>/beta</c>).
/// </summary>
public sealed class CompletionClient
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ClientPipeline _pipeline;
    private readonly Uri _requestUri;

    /// <summary>Creates a client for the provider named in <paramref name="options"/>.</summary>
    /// <param name="options">The provider, and optionally endpoint, key, model and transport settings.</param>
    /// <exception cref="ArgumentException">The provider is unknown, retired or does not serve <c>/completions</c>; no endpoint or model can be determined; or a required API key is missing.</exception>
    public CompletionClient(CompletionClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Name = nameof(CompletionClientOptions);
        var profile = (options.Catalog ?? ProviderCatalog.Default).Get(string.IsNullOrWhiteSpace(options.Provider)
            ? throw new ArgumentException($"{Name}.Provider is required: name a catalog provider such as 'vllm', 'deepseek' or 'custom'.", nameof(options))
            : options.Provider);
        var completions = profile.Completions ?? throw new ArgumentException(
            $"Provider '{profile.Name}' does not serve /completions according to its profile. If it does, add a 'completions' entry to its profile "
            + $"(for example the configuration key CompatAI:Profiles:{profile.Name}:Completions:DefaultModel), or use the 'custom' provider with an Endpoint.",
            nameof(options));
        Model = options.Model ?? completions.DefaultModel
            ?? throw new ArgumentException($"Provider '{profile.Name}' has no default completions model: set {Name}.Model.", nameof(options));

        var connection = ProviderConnection.Open(Name, options.Provider, options.Catalog, options.Endpoint, options.ApiKey, options.Headers, options.Timeout, options.Retry, options.HttpClient);
        Profile = connection.Profile;
        Endpoint = connection.Endpoint;
        _requestUri = new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/" + completions.Path);
        _pipeline = ClientPipeline.Create(connection.ClientOptions, perCallPolicies: [], perTryPolicies: [connection.Authentication], beforeTransportPolicies: []);
    }

    /// <summary>Gets the profile of the provider this client talks to.</summary>
    public ProviderProfile Profile { get; }

    /// <summary>Gets the provider's base URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the default model.</summary>
    public string Model { get; }

    /// <summary>Completes <paramref name="prompt"/> with the default settings.</summary>
    /// <param name="prompt">The text to continue.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The completion.</returns>
    /// <exception cref="ProviderException">The provider failed or could not be reached.</exception>
    public Task<CompletionResponse> CompleteAsync(string prompt, CancellationToken cancellationToken = default) =>
        CompleteAsync(new CompletionRequest(prompt), cancellationToken);

    /// <summary>Sends <paramref name="request"/> and returns the whole completion.</summary>
    /// <param name="request">The prompt and settings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The completion (its first choice).</returns>
    /// <exception cref="ProviderException">The provider failed, could not be reached, or answered without a choice.</exception>
    public async Task<CompletionResponse> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = CreateMessage(request, stream: false, cancellationToken);
        await _pipeline.SendAsync(message).ConfigureAwait(false);
        using var document = Parse(message.Response!.Content.ToMemory(), streaming: false);
        var root = document.RootElement;
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            throw new ProviderException(Profile.Name, ProviderErrorKind.ServerError, $"{Profile.Name}: the completion has no choices.", message.Response.Status);
        }

        var choice = choices[0];
        return new CompletionResponse
        {
            Text = String(choice, "text") ?? string.Empty,
            FinishReason = String(choice, "finish_reason"),
            ModelId = String(root, "model"),
            ResponseId = String(root, "id"),
            Usage = Usage(root),
            Logprobs = choice.TryGetProperty("logprobs", out var logprobs) && logprobs.ValueKind == JsonValueKind.Object ? logprobs.Clone() : null,
            RawRepresentation = root.Clone(),
        };
    }

    /// <summary>Sends <paramref name="request"/> with <c>stream: true</c> and returns the completion piece by piece.</summary>
    /// <param name="request">The prompt and settings.</param>
    /// <param name="cancellationToken">Cancels the call and the stream.</param>
    /// <returns>The pieces, in order; usage arrives on the piece that carries it.</returns>
    /// <exception cref="ProviderException">The provider failed, could not be reached, or the stream broke.</exception>
    public async IAsyncEnumerable<CompletionUpdate> CompleteStreamingAsync(CompletionRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = CreateMessage(request, stream: true, cancellationToken);
        await _pipeline.SendAsync(message).ConfigureAwait(false);
        var stream = message.Response!.ContentStream
            ?? throw new ProviderException(Profile.Name, ProviderErrorKind.ServerError, $"{Profile.Name}: the streamed completion has no body.", message.Response.Status);
        var outputStarted = false;
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data is "[DONE]")
            {
                yield break;
            }

            if (string.IsNullOrWhiteSpace(item.Data))
            {
                continue;
            }

            using var document = Parse(System.Text.Encoding.UTF8.GetBytes(item.Data), streaming: true, outputStarted);
            var root = document.RootElement;
            var choice = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0 ? choices[0] : default;
            outputStarted = true;
            yield return new CompletionUpdate
            {
                Text = choice.ValueKind == JsonValueKind.Object ? String(choice, "text") ?? string.Empty : string.Empty,
                FinishReason = choice.ValueKind == JsonValueKind.Object ? String(choice, "finish_reason") : null,
                ModelId = String(root, "model"),
                ResponseId = String(root, "id"),
                Usage = Usage(root),
                RawRepresentation = root.Clone(),
            };
        }
    }

    private PipelineMessage CreateMessage(CompletionRequest request, bool stream, CancellationToken cancellationToken)
    {
        var message = _pipeline.CreateMessage();
        message.Apply(new RequestOptions { CancellationToken = cancellationToken });
        message.BufferResponse = !stream;
        var http = message.Request;
        http.Method = "POST";
        http.Uri = _requestUri;
        http.Headers.Set("Content-Type", "application/json");
        http.Headers.Set("Accept", stream ? "text/event-stream" : "application/json");
        http.Content = BinaryContent.Create(BinaryData.FromBytes(WriteBody(request, stream)));
        return message;
    }

    private byte[] WriteBody(CompletionRequest request, bool stream)
    {
        var model = request.Model ?? Model;
        var unsupported = Profile.GetQuirks(model).UnsupportedParameters ?? [];
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            writer.WriteString("prompt", request.Prompt);
            if (request.Suffix is not null)
            {
                writer.WriteString("suffix", request.Suffix);
            }

            if (request.MaxTokens is { } maxTokens)
            {
                writer.WriteNumber("max_tokens", maxTokens);
            }

            if (request.Temperature is { } temperature)
            {
                writer.WriteNumber("temperature", temperature);
            }

            if (request.TopP is { } topP)
            {
                writer.WriteNumber("top_p", topP);
            }

            if (request.StopSequences.Count > 0)
            {
                writer.WriteStartArray("stop");
                foreach (var stop in request.StopSequences)
                {
                    writer.WriteStringValue(stop);
                }

                writer.WriteEndArray();
            }

            if (request.Echo is { } echo)
            {
                writer.WriteBoolean("echo", echo);
            }

            if (request.Logprobs is { } logprobs)
            {
                writer.WriteNumber("logprobs", logprobs);
            }

            if (stream)
            {
                writer.WriteBoolean("stream", true);
                if (!unsupported.Contains("stream_options", StringComparer.Ordinal))
                {
                    writer.WriteStartObject("stream_options");
                    writer.WriteBoolean("include_usage", true);
                    writer.WriteEndObject();
                }
            }

            foreach (var (name, value) in request.AdditionalProperties)
            {
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value?.GetType() ?? typeof(object)));
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private JsonDocument Parse(ReadOnlyMemory<byte> json, bool streaming, bool outputStarted = false)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ProviderException(
                Profile.Name,
                outputStarted ? ProviderErrorKind.StreamInterrupted : ProviderErrorKind.ServerError,
                streaming ? $"{Profile.Name}: the stream carried data that is not valid JSON: {ex.Message}" : $"{Profile.Name}: the response is not valid JSON: {ex.Message}",
                innerException: ex);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static UsageDetails? Usage(JsonElement root)
    {
        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        static long? Number(JsonElement usage, string name) =>
            usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

        return new UsageDetails
        {
            InputTokenCount = Number(usage, "prompt_tokens"),
            OutputTokenCount = Number(usage, "completion_tokens"),
            TotalTokenCount = Number(usage, "total_tokens"),
        };
    }
}
