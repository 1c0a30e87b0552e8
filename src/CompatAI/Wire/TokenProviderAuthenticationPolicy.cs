using System.ClientModel.Primitives;

namespace CompatAI;

/// <summary>
/// Sends <c>Authorization: Bearer &lt;token&gt;</c> with a token asked from the caller's delegate on every attempt (Entra ID
/// for Azure OpenAI, Google access tokens for Vertex AI); caching and refreshing are the delegate's business. The request
/// is marked so that <see cref="ProviderAuthStylePolicy"/> leaves the bearer header where it is, whatever the profile's
/// key style.
/// </summary>
internal sealed class TokenProviderAuthenticationPolicy(Func<CancellationToken, ValueTask<string>> tokenProvider) : AuthenticationPolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        throw new NotSupportedException("A token provider (CompatChatClientOptions.TokenProvider) is asked asynchronously: use the async methods.");

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        var token = await tokenProvider(message.CancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new InvalidOperationException("The token provider (CompatChatClientOptions.TokenProvider) returned no token.");
        }

        message.Request.Headers.Set("Authorization", "Bearer " + token);
        message.SetProperty(typeof(TokenProviderAuthenticationPolicy), true);
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }

    /// <summary>Returns whether the request's bearer header came from a token provider.</summary>
    public static bool Authenticated(PipelineMessage message) => message.TryGetProperty(typeof(TokenProviderAuthenticationPolicy), out var value) && value is true;
}
