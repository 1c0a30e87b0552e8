using System.ClientModel.Primitives;

namespace CompatAI;

/// <summary>
/// Moves the key the OpenAI SDK sends as <c>Authorization: Bearer</c> into the header the provider expects
/// (<c>x-api-key</c>, <c>api-key</c> or a named header), or removes it for providers that take no authentication.
/// Runs after the SDK's authentication policy, so an application keeps passing its key as an <c>ApiKeyCredential</c>.
/// </summary>
internal sealed class ProviderAuthStylePolicy(ProviderProfile profile) : PipelinePolicy
{
    private const string BearerPrefix = "Bearer ";

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        if (!TokenProviderAuthenticationPolicy.Authenticated(message))
        {
            Apply(message.Request);
        }

        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        if (!TokenProviderAuthenticationPolicy.Authenticated(message))
        {
            Apply(message.Request);
        }

        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    /// <summary>Returns the key the request carries in the provider's auth header, for redaction; <see langword="null"/> when it carries none.</summary>
    public static string? ReadKey(PipelineRequest request, ProviderProfile profile)
    {
        if (HeaderName(profile) is not { } header || !request.Headers.TryGetValue(header, out var value) || string.IsNullOrEmpty(value))
        {
            // A token provider's bearer token stays in Authorization whatever the key style: redact that.
            return request.Headers.TryGetValue("Authorization", out var bearer) && bearer is not null && bearer.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
                ? bearer[BearerPrefix.Length..]
                : null;
        }

        return profile.AuthStyle == ProviderAuthStyle.Bearer && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? value[BearerPrefix.Length..] : value;
    }

    private void Apply(PipelineRequest request)
    {
        if (profile.AuthStyle == ProviderAuthStyle.Bearer
            || !request.Headers.TryGetValue("Authorization", out var authorization)
            || authorization is null
            || !authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        request.Headers.Remove("Authorization");
        if (HeaderName(profile) is { } header)
        {
            request.Headers.Set(header, authorization[BearerPrefix.Length..]);
        }
    }

    private static string? HeaderName(ProviderProfile profile) => profile.AuthStyle switch
    {
        ProviderAuthStyle.Bearer => "Authorization",
        ProviderAuthStyle.XApiKey => "x-api-key",
        ProviderAuthStyle.ApiKey => "api-key",
        ProviderAuthStyle.Header => profile.AuthHeaderName
            ?? throw new ArgumentException($"Provider '{profile.Name}' uses header authentication but names no AuthHeaderName."),
        _ => null,
    };
}
