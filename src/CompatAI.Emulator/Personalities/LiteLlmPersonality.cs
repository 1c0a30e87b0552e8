using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// LiteLLM proxy: canonical OpenAI chat shapes; its <c>/v1/embeddings</c> rejects <c>encoding_format</c> (any value) for
/// Vertex AI / Gemini embedding models with an <c>UnsupportedParamsError</c> (BerriAI/litellm#33173), see
/// <see cref="EmbeddingsEndpoint"/>. Errors carry the proxy's stringly typed <c>type</c>, <c>param</c> and <c>code</c>.
/// </summary>
internal sealed class LiteLlmPersonality : Personality
{
    public override string Name => "litellm";

    public override IReadOnlyList<string> Models { get; } = ["gpt-4o-mini", "gemini-embedding-001", "text-embedding-3-small"];

    protected override string OwnedBy => "openai";

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = "None",
            ["param"] = param ?? "None",
            ["code"] = (code ?? statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        },
    };
}
