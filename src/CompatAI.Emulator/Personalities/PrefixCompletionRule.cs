using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// Chat prefix completion: an assistant message with <c>"prefix": true</c> as the last message, whose text the model
/// continues. DeepSeek serves it only under its beta path (<c>POST /deepseek/beta/chat/completions</c>); Mistral on its
/// normal path. A prefix on any other message, on DeepSeek's normal path or for another personality is a 400 in the
/// personality's error shape. The answer continues the prefix deterministically: <c> continues '&lt;last word of the
/// prefix&gt;'</c>.
/// </summary>
internal static class PrefixCompletionRule
{
    /// <summary>The personalities that accept prefix messages, and whether they need the beta path.</summary>
    private static readonly Dictionary<string, bool> s_betaOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        ["deepseek"] = true,
        ["mistral"] = false,
    };

    /// <summary>Whether <paramref name="route"/> is the personality's beta Chat Completions route.</summary>
    public static bool ServesBeta(Personality personality, string route) =>
        route == "beta/chat/completions" && s_betaOnly.TryGetValue(personality.Name, out var betaOnly) && betaOnly;

    /// <summary>Returns the violation of the prefix rule in <paramref name="request"/>, if any.</summary>
    public static RuleViolation? Check(Personality personality, ChatRequest request, bool betaPath)
    {
        for (var i = 0; i < request.Messages.Count; i++)
        {
            if (request.Messages[i] is not JsonObject message || message["prefix"] is not JsonValue flag || !flag.TryGetValue<bool>(out var isPrefix) || !isPrefix)
            {
                continue;
            }

            if (!s_betaOnly.TryGetValue(personality.Name, out var betaOnly))
            {
                return Violation(personality, $"messages[{i}]: unknown field `prefix`");
            }

            if (betaOnly && !betaPath)
            {
                return Violation(personality, "Prefix completion is only available in the beta API: set base_url to https://api.deepseek.com/beta.");
            }

            if (i != request.Messages.Count - 1 || ChatRequest.RoleOf(message) != "assistant")
            {
                return Violation(personality, $"messages[{i}]: prefix is only allowed on the last message, which must have the assistant role.");
            }
        }

        return null;
    }

    /// <summary>Returns the plan continuing the prefix when the last message is one; otherwise <paramref name="plan"/>.</summary>
    public static AnswerPlan Continue(ChatRequest request, AnswerPlan plan)
    {
        if (request.Messages.Count > 0 && request.Messages[^1] is JsonObject last && last["prefix"] is JsonValue flag
            && flag.TryGetValue<bool>(out var isPrefix) && isPrefix)
        {
            var text = ChatRequest.TextOf(last["content"]);
            var words = text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return plan with { Text = $" continues '{(words.Length > 0 ? words[^1] : string.Empty)}'", ToolCalls = [] };
        }

        return plan;
    }

    private static RuleViolation Violation(Personality personality, string message) =>
        new(400, personality.ErrorBody(400, message, "invalid_request_error"));
}
