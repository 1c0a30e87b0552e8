using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// LM Studio's local server: canonical OpenAI chat shapes; its <c>/v1/embeddings</c> ignores <c>encoding_format</c> and
/// always answers float arrays (lmstudio-ai/lmstudio-bug-tracker#756), see <see cref="EmbeddingsEndpoint"/>.
/// </summary>
internal sealed class LmStudioPersonality : Personality
{
    public override string Name => "lmstudio";

    public override IReadOnlyList<string> Models { get; } = ["qwen2.5-7b-instruct", "text-embedding-nomic-embed-text-v1.5"];

    protected override string OwnedBy => "organization_owner";

    public override JsonObject ErrorBody(int statusCode, string message, string type, string? code = null, string? param = null) =>
        new() { ["error"] = message };
}
