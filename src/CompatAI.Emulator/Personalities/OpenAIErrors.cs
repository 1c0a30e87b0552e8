using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>OpenAI-shaped <c>{"error":{message,type,param,code}}</c> bodies, including the recorded canned ones.</summary>
internal static class OpenAIErrors
{
    public static JsonObject Envelope(string message, string? type, string? param, string? code) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = param,
            ["code"] = code,
        },
    };

    /// <summary>fixture: openai-error-429-rate-limit-exceeded-tokens.json</summary>
    public static JsonObject RateLimitExceeded() => EmulatorJson.Parse("""
        {"error":{"message":"Rate limit reached for 10KTPM-200RPM in organization org-WyXXXXXXXXX on tokens per min. Limit: 10000 / min. Please try again in 6ms. Contact us through our help center at help.openai.com if you continue to have issues.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}
        """);

    /// <summary>fixture: openai-error-500-server-error.json</summary>
    public static JsonObject ServerError() => EmulatorJson.Parse("""
        {"error":{"message":"The server experienced an error while processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if the error persists.","type":"server_error","param":null,"code":null}}
        """);

    /// <summary>fixture: openai-error-503-model-overloaded.json</summary>
    public static JsonObject Overloaded() => EmulatorJson.Parse("""
        {"error":{"message":"That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists. (Please include the request ID 500d9fff2057e4af93a280f67002c342 in your message.)","type":"server_error","param":null,"code":null}}
        """);

    /// <summary>The 404 for a path outside any personality.</summary>
    public static JsonObject UnknownPersonality(string personality, IEnumerable<string> known) => Envelope(
        $"Unknown emulator personality '{personality}'. Known personalities: {string.Join(", ", known)}.",
        "invalid_request_error", null, "unknown_personality");
}
