using System.Text.Json.Nodes;

namespace CompatAI.Tests.Infrastructure;

/// <summary>The golden-file form of a recorded request: method, path, the headers that carry the key or the profile's own headers, and the body.</summary>
internal static class GoldenRequest
{
    public static JsonObject From(RecordedRequest request, ProviderProfile profile)
    {
        var interesting = new JsonObject();
        foreach (var (name, value) in request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            var lower = name.ToLowerInvariant();
            if (lower is "authorization" or "x-api-key" or "api-key" || profile.Headers.ContainsKey(name) || (profile.AuthHeaderName is { } h && h.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                interesting[lower] = value.Replace(ClientFactory.TestKey, "<key>", StringComparison.Ordinal);
            }
        }

        return new JsonObject
        {
            ["method"] = request.Method,
            ["path"] = request.Path,
            ["headers"] = interesting,
            ["body"] = JsonNode.Parse(request.Body),
        };
    }
}
