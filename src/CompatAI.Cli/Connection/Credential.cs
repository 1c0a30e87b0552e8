using System.Net.Http.Headers;

namespace CompatAI.Cli;

/// <summary>An API key and the header style it travels in.</summary>
/// <param name="Style">The auth style.</param>
/// <param name="Key">The key; null sends nothing.</param>
/// <param name="HeaderName">The header for <see cref="ProviderAuthStyle.Header"/>.</param>
internal sealed record Credential(ProviderAuthStyle Style, string? Key, string? HeaderName = null)
{
    public static Credential Anonymous { get; } = new(ProviderAuthStyle.None, null);

    /// <summary>The styles tried, in order, when the configured one is refused.</summary>
    public static IReadOnlyList<ProviderAuthStyle> Candidates { get; } = [ProviderAuthStyle.Bearer, ProviderAuthStyle.XApiKey, ProviderAuthStyle.ApiKey];

    /// <summary>How the key travels, for messages (never the key itself).</summary>
    public string Describe() => Style switch
    {
        ProviderAuthStyle.Bearer => "Authorization: Bearer",
        ProviderAuthStyle.XApiKey => "x-api-key",
        ProviderAuthStyle.ApiKey => "api-key",
        ProviderAuthStyle.Header => HeaderName ?? "(unnamed header)",
        _ => "no credential",
    };

    public void Apply(HttpRequestHeaders headers)
    {
        if (Key is null)
        {
            return;
        }

        switch (Style)
        {
            case ProviderAuthStyle.Bearer:
                headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
                break;
            case ProviderAuthStyle.XApiKey:
                headers.TryAddWithoutValidation("x-api-key", Key);
                break;
            case ProviderAuthStyle.ApiKey:
                headers.TryAddWithoutValidation("api-key", Key);
                break;
            case ProviderAuthStyle.Header when HeaderName is not null:
                headers.TryAddWithoutValidation(HeaderName, Key);
                break;
        }
    }
}
