namespace CompatAI.Gateway.Endpoints;

/// <summary>The OpenAI endpoints besides chat that the gateway serves through the library's clients.</summary>
internal enum ProviderApiKind
{
    /// <summary><c>POST /v1/embeddings</c>.</summary>
    Embeddings,

    /// <summary><c>POST /v1/completions</c>.</summary>
    Completions,

    /// <summary><c>POST /v1/moderations</c>.</summary>
    Moderations,
}
