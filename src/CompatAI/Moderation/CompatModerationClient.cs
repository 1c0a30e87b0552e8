using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;

namespace CompatAI;

/// <summary>
/// Moderation for the providers that offer it (OpenAI's <c>/moderations</c>, Mistral's <c>/moderations</c>, whose
/// answer has its own categories and no <c>flagged</c> field), with both answers mapped to <see cref="ModerationVerdict"/>.
/// Requests go through the same System.ClientModel pipeline as CompatAI's chat client (auth style, headers, retry, wire
/// repairs), so failures are <see cref="ProviderException"/>s.
/// </summary>
public sealed class CompatModerationClient
{
    private readonly ClientPipeline _pipeline;
    private readonly Uri _requestUri;

    /// <summary>Creates a client for the provider named in <paramref name="options"/>.</summary>
    /// <param name="options">The provider, and optionally endpoint, key, model and transport settings.</param>
    /// <exception cref="NotSupportedException">The provider has no moderation endpoint according to its profile; raised here, before any request.</exception>
    /// <exception cref="ArgumentException">The provider is unknown or retired, no endpoint or model can be determined, or a required API key is missing.</exception>
    public CompatModerationClient(CompatModerationClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Name = nameof(CompatModerationClientOptions);
        var profile = (options.Catalog ?? ProviderCatalog.Default).Get(string.IsNullOrWhiteSpace(options.Provider)
            ? throw new ArgumentException($"{Name}.Provider is required: name a catalog provider such as 'openai' or 'mistral'.", nameof(options))
            : options.Provider);
        var moderation = profile.Moderation ?? throw new NotSupportedException(
            $"Provider '{profile.Name}' has no moderation endpoint according to its profile (providers with one: "
            + $"{string.Join(", ", (options.Catalog ?? ProviderCatalog.Default).Profiles.Where(p => p.Moderation is not null).Select(p => p.Name))}).");
        Model = options.Model ?? moderation.DefaultModel
            ?? throw new ArgumentException($"Provider '{profile.Name}' has no default moderation model: set {Name}.Model.", nameof(options));

        var connection = ProviderConnection.Open(Name, options.Provider, options.Catalog, options.Endpoint, options.ApiKey, options.Headers, options.Timeout, options.Retry, options.HttpClient);
        Profile = connection.Profile;
        Endpoint = connection.Endpoint;
        _requestUri = new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/" + moderation.Path);
        _pipeline = ClientPipeline.Create(connection.ClientOptions, perCallPolicies: [], perTryPolicies: [connection.Authentication], beforeTransportPolicies: []);
    }

    /// <summary>Gets the profile of the provider this client talks to.</summary>
    public ProviderProfile Profile { get; }

    /// <summary>Gets the provider's base URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the moderation model.</summary>
    public string Model { get; }

    /// <summary>Classifies one text.</summary>
    /// <param name="input">The text.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="ProviderException">The provider failed, could not be reached, or answered in a shape that cannot be read.</exception>
    public async Task<ModerationVerdict> ModerateAsync(string input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return (await ModerateAsync([input], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>Classifies several texts in one request.</summary>
    /// <param name="inputs">The texts.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One verdict per input, in order.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> is empty.</exception>
    /// <exception cref="ProviderException">The provider failed, could not be reached, or answered in a shape that cannot be read.</exception>
    public async Task<IReadOnlyList<ModerationVerdict>> ModerateAsync(IEnumerable<string> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var list = inputs.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one input is needed.", nameof(inputs));
        }

        using var message = _pipeline.CreateMessage();
        message.Apply(new RequestOptions { CancellationToken = cancellationToken });
        message.Request.Method = "POST";
        message.Request.Uri = _requestUri;
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Headers.Set("Accept", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(
            new ModerationRequestBody(Model, list), ModerationJsonContext.Default.ModerationRequestBody)));
        await _pipeline.SendAsync(message).ConfigureAwait(false);

        var status = message.Response!.Status;
        try
        {
            using var document = JsonDocument.Parse(message.Response.Content.ToMemory());
            if (!document.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array || results.GetArrayLength() != list.Count)
            {
                throw Unreadable($"expected a 'results' array with {list.Count} entries", status);
            }

            return [.. results.EnumerateArray().Select(r => Verdict(r, status))];
        }
        catch (JsonException ex)
        {
            throw new ProviderException(Profile.Name, ProviderErrorKind.ServerError, $"{Profile.Name}: the moderation answer is not valid JSON: {ex.Message}", status, innerException: ex);
        }
    }

    private ModerationVerdict Verdict(JsonElement result, int status)
    {
        if (!result.TryGetProperty("categories", out var categories) || categories.ValueKind != JsonValueKind.Object)
        {
            throw Unreadable("a result has no 'categories' object", status);
        }

        var flags = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var category in categories.EnumerateObject())
        {
            flags[category.Name] = category.Value.ValueKind == JsonValueKind.True;
        }

        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        if (result.TryGetProperty("category_scores", out var categoryScores) && categoryScores.ValueKind == JsonValueKind.Object)
        {
            foreach (var score in categoryScores.EnumerateObject())
            {
                if (score.Value.ValueKind == JsonValueKind.Number)
                {
                    scores[score.Name] = score.Value.GetDouble();
                }
            }
        }

        var flagged = result.TryGetProperty("flagged", out var f) && f.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? f.GetBoolean()
            : flags.Values.Any(v => v);
        return new ModerationVerdict { Flagged = flagged, Categories = flags, CategoryScores = scores };
    }

    private ProviderException Unreadable(string problem, int status) =>
        new(Profile.Name, ProviderErrorKind.ServerError, $"{Profile.Name}: the moderation answer cannot be read: {problem}.", status);
}
