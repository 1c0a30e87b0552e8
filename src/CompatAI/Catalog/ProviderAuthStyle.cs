namespace CompatAI;

/// <summary>How a provider expects the API key to be sent.</summary>
public enum ProviderAuthStyle
{
    /// <summary><c>Authorization: Bearer &lt;key&gt;</c> (the OpenAI default).</summary>
    Bearer,

    /// <summary><c>x-api-key: &lt;key&gt;</c>.</summary>
    XApiKey,

    /// <summary><c>api-key: &lt;key&gt;</c> (Azure style).</summary>
    ApiKey,

    /// <summary>The key goes in the header named by <see cref="ProviderProfile.AuthHeaderName"/>, without a prefix.</summary>
    Header,

    /// <summary>No credential is sent (local servers such as Ollama or llama.cpp).</summary>
    None,
}
