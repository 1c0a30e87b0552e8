using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// <c>POST /{personality}/v1/moderations</c> on openai (its shape: <c>flagged</c>, <c>categories</c>,
/// <c>category_scores</c> and <c>category_applied_input_types</c>) and mistral (its own category names, no
/// <c>flagged</c>). Deterministic: an input containing "kill" is violent, one containing "hate" is hateful; a set
/// category scores 0.9, the others 0.01.
/// </summary>
internal static class ModerationsEndpoint
{
    private static readonly string[] s_openAICategories =
        ["harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "self-harm", "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence", "violence/graphic"];

    private static readonly string[] s_mistralCategories =
        ["sexual", "hate_and_discrimination", "violence_and_threats", "dangerous_and_criminal_content", "selfharm", "health", "financial", "law", "pii"];

    public static bool Serves(Personality personality) => personality.Name is "openai" or "mistral";

    public static (int Status, JsonObject Body) Answer(Personality personality, string body)
    {
        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        List<string>? inputs = request?["input"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var one) => [one],
            JsonArray a when a.Count > 0 && a.All(i => i is JsonValue s && s.TryGetValue<string>(out _)) => [.. a.Select(i => i!.GetValue<string>())],
            _ => null,
        };
        if (request is null || inputs is null)
        {
            return (400, personality.ErrorBody(400, "'input' must be a non-empty string or array of strings.", "invalid_request_error", null, "input"));
        }

        var mistral = personality.Name == "mistral";
        var model = request["model"]?.GetValue<string>() ?? (mistral ? "mistral-moderation-latest" : "omni-moderation-latest");
        var results = new JsonArray();
        foreach (var input in inputs)
        {
            var violent = input.Contains("kill", StringComparison.OrdinalIgnoreCase);
            var hateful = input.Contains("hate", StringComparison.OrdinalIgnoreCase);
            var categories = new JsonObject();
            var scores = new JsonObject();
            foreach (var name in mistral ? s_mistralCategories : s_openAICategories)
            {
                var set = (violent && name is "violence" or "violence_and_threats") || (hateful && name is "hate" or "hate_and_discrimination");
                categories[name] = set;
                scores[name] = set ? 0.9 : 0.01;
            }

            var result = new JsonObject();
            if (!mistral)
            {
                result["flagged"] = violent || hateful;
            }

            result["categories"] = categories;
            result["category_scores"] = scores;
            results.Add(result);
        }

        var ids = new IdSource(personality.Name + "\n" + body);
        return (200, new JsonObject { ["id"] = (mistral ? string.Empty : "modr-") + ids.LowerAlphanumeric(24), ["model"] = model, ["results"] = results });
    }
}
