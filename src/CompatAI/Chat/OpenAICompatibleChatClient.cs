using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CompatAI;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI;

/// <summary>
/// An <see cref="IChatClient"/> for any OpenAI-compatible Chat Completions service, backed by the official OpenAI SDK's
/// <see cref="ChatClient"/>. Beyond the mapping Microsoft.Extensions.AI.OpenAI does, it survives what third-party
/// providers put on the wire (unknown finish reasons, errors inside 200 streams, tool-call deltas without an index,
/// blank tool-call types, bare JSON lines), classifies every failure as a <see cref="ProviderException"/>, retries
/// transient failures with a real backoff that honours Retry-After, and names the real provider in its metadata.
/// </summary>
/// <remarks>
/// <para><see cref="ChatResponse.RawRepresentation"/> is the SDK's <see cref="ChatCompletion"/>, and each
/// <see cref="ChatResponseUpdate.RawRepresentation"/> a <see cref="StreamingChatCompletionUpdate"/>: their <c>Patch</c>
/// holds every extra field the provider sent, for provider-specific middleware to read.</para>
/// <para><see cref="ChatOptions.AdditionalProperties"/> entries are sent as extra body fields (wire names);
/// <see cref="ChatOptions.RawRepresentationFactory"/> may return a <see cref="ChatCompletionOptions"/> that is used as the
/// base of the request.</para>
/// </remarks>
public sealed class OpenAICompatibleChatClient : IChatClient
{
    private static readonly Lazy<HttpClient> s_sharedHttpClient = new(() => CreateHttpClient(forceHttp11: false));
    private static readonly Lazy<HttpClient> s_sharedHttp11Client = new(() => CreateHttpClient(forceHttp11: true));

    private readonly ChatClient _chatClient;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a client for the provider named in <paramref name="options"/>.</summary>
    /// <param name="options">The provider, and optionally endpoint, key, model, headers, timeout and retry settings.</param>
    /// <exception cref="ArgumentException">The provider is unknown or retired, no endpoint or model can be determined, or a required API key is missing.</exception>
    public OpenAICompatibleChatClient(CompatChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Provider))
        {
            throw new ArgumentException("CompatChatClientOptions.Provider is required: name a catalog provider such as 'openai', 'groq' or 'custom'.", nameof(options));
        }

        options.Retry.Validate();
        Profile = (options.Catalog ?? ProviderCatalog.Default).Get(options.Provider);
        if (Profile.RetiredMessage is { } retired)
        {
            throw new ArgumentException($"Provider '{Profile.Name}' is retired: {retired}", nameof(options));
        }

        Endpoint = NormalizeEndpoint(options.Endpoint ?? Profile.BaseUrl
            ?? throw new ArgumentException($"Provider '{Profile.Name}' has no default URL: set CompatChatClientOptions.Endpoint.", nameof(options)));
        Model = options.Model ?? Profile.DefaultModel
            ?? throw new ArgumentException($"Provider '{Profile.Name}' has no default model: set CompatChatClientOptions.Model.", nameof(options));

        var apiKey = options.ApiKey;
        if (string.IsNullOrEmpty(apiKey) && Profile.ApiKeyEnvironmentVariable is { } variable)
        {
            apiKey = Environment.GetEnvironmentVariable(variable);
        }

        if (string.IsNullOrEmpty(apiKey) && Profile.RequiresApiKey && Profile.AuthStyle != ProviderAuthStyle.None)
        {
            throw new ArgumentException(
                $"Provider '{Profile.Name}' needs an API key: set CompatChatClientOptions.ApiKey{(Profile.ApiKeyEnvironmentVariable is { } env ? $" or the {env} environment variable" : string.Empty)}.",
                nameof(options));
        }

        var headers = new List<KeyValuePair<string, string>>(Profile.Headers);
        headers.AddRange(options.Headers);

        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = Endpoint,
            RetryPolicy = new ProviderRetryPolicy(options.Retry, TimeProvider.System),
            NetworkTimeout = options.Timeout ?? TimeSpan.FromSeconds(100),
            Transport = new HttpClientPipelineTransport(options.HttpClient ?? (Profile.ForceHttp11 ? s_sharedHttp11Client.Value : s_sharedHttpClient.Value)),
            UserAgentApplicationId = "CompatAI",
        };
        if (headers.Count > 0)
        {
            clientOptions.AddPolicy(new StaticHeadersPolicy(headers), PipelinePosition.PerCall);
        }

        clientOptions.AddPolicy(new WireNormalizingPolicy(Profile.Name, apiKey), PipelinePosition.BeforeTransport);

        _chatClient = new ChatClient(Model, CreateAuthenticationPolicy(Profile, apiKey), clientOptions);
        _metadata = new ChatClientMetadata(Profile.Name, Endpoint, Model);
    }

    /// <summary>Gets the profile of the provider this client talks to.</summary>
    public ProviderProfile Profile { get; }

    /// <summary>Gets the base URL requests go to (<c>/chat/completions</c> is appended).</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the default model id.</summary>
    public string Model { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var sdkMessages = ChatRequestMapper.ToSdkMessages(messages, options);
        var sdkOptions = ChatRequestMapper.ToSdkOptions(options, this);
        ClientResult<ChatCompletion> result;
        try
        {
            result = await _chatClient.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            // The transport's fast path does not tokenize clean-looking bodies; the SDK's parser is the JSON check.
            throw NotJson(streaming: false, outputStarted: false, ex);
        }

        return ChatResponseMapper.ToChatResponse(result.Value, WireJsonNormalizer.MayContainReasoning(result.GetRawResponse().Content.ToMemory().Span));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sdkMessages = ChatRequestMapper.ToSdkMessages(messages, options);
        var sdkOptions = ChatRequestMapper.ToSdkOptions(options, this);

        var toolCalls = new StreamingToolCallAccumulator();
        ChatRole? role = null;
        Microsoft.Extensions.AI.ChatFinishReason? finishReason = null;
        string? responseId = null;
        string? modelId = null;
        DateTimeOffset? createdAt = null;

        var observations = new StreamObservations();
        StreamObservations.Current = observations;

        // Enumerated by hand so that the SDK's JsonException on a chunk that is not JSON (which the transport's fast path
        // no longer tokenizes) can be caught: C# cannot yield inside a try with a catch clause.
        var updates = _chatClient.CompleteChatStreamingAsync(sdkMessages, sdkOptions, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false).GetAsyncEnumerator();
        var outputStarted = false;
        try
        {
            while (true)
            {
                StreamingChatCompletionUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        break;
                    }

                    update = updates.Current;
                }
                catch (JsonException ex)
                {
                    throw NotJson(streaming: true, outputStarted, ex);
                }

                outputStarted = true;
                responseId ??= update.CompletionId;
                modelId ??= update.Model;
                createdAt ??= update.CreatedAt == default ? null : update.CreatedAt;
                if (update.Role is { } r)
                {
                    role ??= new ChatRole(r.ToString().ToLowerInvariant());
                }

                if (update.FinishReason is { } finish)
                {
                    finishReason ??= ChatResponseMapper.ToFinishReason(finish);
                }

                // Indexed loops below: foreach over the SDK's IReadOnlyList/Collection properties boxes an enumerator per update.
                var contents = new List<AIContent>(1);
                if (observations.MayCarryReasoning && update.Patch.TryGetValue("$.choices[0].delta.reasoning_content"u8, out string? reasoning) && !string.IsNullOrEmpty(reasoning))
                {
                    contents.Add(new TextReasoningContent(reasoning));
                }

                var contentUpdate = update.ContentUpdate;
                for (var i = 0; i < contentUpdate.Count; i++)
                {
                    var part = contentUpdate[i];
                    if (part.Kind == ChatMessageContentPartKind.Text && !string.IsNullOrEmpty(part.Text))
                    {
                        contents.Add(new TextContent(part.Text) { RawRepresentation = part });
                    }
                }

                if (!string.IsNullOrEmpty(update.RefusalUpdate))
                {
                    contents.Add(new ErrorContent(update.RefusalUpdate) { ErrorCode = "Refusal" });
                }

                var toolCallUpdates = update.ToolCallUpdates;
                for (var i = 0; i < toolCallUpdates.Count; i++)
                {
                    toolCalls.Add(toolCallUpdates[i]);
                }

                if (update.Usage is { } usage)
                {
                    contents.Add(new UsageContent(ChatResponseMapper.ToUsage(usage)) { RawRepresentation = usage });
                }

                yield return new ChatResponseUpdate(role ?? ChatRole.Assistant, contents)
                {
                    ResponseId = responseId,
                    MessageId = responseId,
                    ModelId = modelId,
                    CreatedAt = createdAt,
                    FinishReason = finishReason,
                    RawRepresentation = update,
                };
            }
        }
        finally
        {
            await updates.DisposeAsync();
        }

        if (toolCalls.HasCalls)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [.. toolCalls.Complete(responseId)])
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = modelId,
                CreatedAt = createdAt,
                FinishReason = finishReason ?? Microsoft.Extensions.AI.ChatFinishReason.ToolCalls,
            };
        }
    }

    /// <summary>The provider's response (or a stream chunk) failed the OpenAI SDK's JSON parser.</summary>
    private ProviderException NotJson(bool streaming, bool outputStarted, JsonException ex) => new(
        Profile.Name,
        outputStarted ? ProviderErrorKind.StreamInterrupted : ProviderErrorKind.ServerError,
        streaming
            ? $"{Profile.Name}: the stream carried data that is not valid JSON{(outputStarted ? " after output had started" : string.Empty)}: {ex.Message}"
            : $"{Profile.Name}: the response is not valid JSON: {ex.Message}",
        innerException: ex);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(ChatClient))
        {
            return _chatClient;
        }

        if (serviceType == typeof(ProviderProfile))
        {
            return Profile;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The HTTP client is shared (or owned by the caller); nothing to release.
    }

    /// <summary>Accepts a base URL with or without a trailing <c>/chat/completions</c> or slash.</summary>
    internal static Uri NormalizeEndpoint(Uri endpoint)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The endpoint '{endpoint}' must be an absolute http or https URL.", nameof(endpoint));
        }

        var builder = new UriBuilder(endpoint);
        var path = builder.Path.TrimEnd('/');
        if (path.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^"/chat/completions".Length];
        }

        builder.Path = path.Length == 0 ? "/" : path;
        return builder.Uri;
    }

    private static AuthenticationPolicy CreateAuthenticationPolicy(ProviderProfile profile, string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey) || profile.AuthStyle == ProviderAuthStyle.None)
        {
            return NoAuthenticationPolicy.Instance;
        }

        var credential = new ApiKeyCredential(apiKey);
        return profile.AuthStyle switch
        {
            ProviderAuthStyle.Bearer => ApiKeyAuthenticationPolicy.CreateBearerAuthorizationPolicy(credential),
            ProviderAuthStyle.XApiKey => ApiKeyAuthenticationPolicy.CreateHeaderApiKeyPolicy(credential, "x-api-key"),
            ProviderAuthStyle.ApiKey => ApiKeyAuthenticationPolicy.CreateHeaderApiKeyPolicy(credential, "api-key"),
            ProviderAuthStyle.Header => ApiKeyAuthenticationPolicy.CreateHeaderApiKeyPolicy(
                credential,
                profile.AuthHeaderName ?? throw new ArgumentException($"Provider '{profile.Name}' uses header authentication but names no AuthHeaderName.")),
            _ => throw new ArgumentOutOfRangeException(nameof(profile), profile.AuthStyle, "Unknown authentication style."),
        };
    }

    private static HttpClient CreateHttpClient(bool forceHttp11)
    {
        HttpMessageHandler handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
        };
        if (forceHttp11)
        {
            handler = new ForceHttp11Handler(handler);
        }

        // The pipeline enforces per-attempt timeouts; HttpClient's own 100 s limit would cut long streams.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
