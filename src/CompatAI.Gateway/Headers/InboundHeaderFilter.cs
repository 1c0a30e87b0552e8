using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace CompatAI.Gateway.Headers;

/// <summary>Decides which inbound headers reach an adapter: never hop-by-hop headers or <c>Host</c>; the client's credential headers only when passed through; others only when allow-listed.</summary>
internal sealed class InboundHeaderFilter
{
    private static readonly FrozenSet<string> s_neverForwarded = new[]
    {
        "host", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "trailers", "transfer-encoding", "upgrade", "content-length", "expect", "http2-settings",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenSet<string> _allowed;

    public InboundHeaderFilter(IEnumerable<string> allowList)
    {
        _allowed = allowList.Where(h => !string.IsNullOrWhiteSpace(h) && !s_neverForwarded.Contains(h.Trim()))
            .Select(h => h.Trim().ToLowerInvariant())
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    public static bool IsCredentialHeader(string name) =>
        name.Equals("authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("x-api-key", StringComparison.OrdinalIgnoreCase);

    public static bool IsNeverForwarded(string name) => s_neverForwarded.Contains(name);

    /// <summary>Reads the client's credential: a bearer token, else <c>x-api-key</c>.</summary>
    public static string? ReadCredential(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            if (token.Length > 0)
            {
                return token;
            }
        }

        var apiKey = headers["x-api-key"].ToString().Trim();
        return apiKey.Length > 0 ? apiKey : null;
    }

    public IReadOnlyDictionary<string, string> Select(IHeaderDictionary headers, bool passCredential)
    {
        if (_allowed.Count == 0 && !passCredential)
        {
            return FrozenDictionary<string, string>.Empty;
        }

        // Headers listed in Connection are hop-by-hop for this request only.
        var connectionListed = headers.Connection.Count == 0
            ? null
            : headers.Connection.ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        var selected = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            if (s_neverForwarded.Contains(name) ||
                (connectionListed is not null && connectionListed.Contains(name, StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }

            var credential = IsCredentialHeader(name);
            if ((credential && passCredential) || (!credential && _allowed.Contains(name)))
            {
                selected[name.ToLowerInvariant()] = Join(values);
            }
        }

        return selected;
    }

    private static string Join(StringValues values) => values.Count == 1 ? values[0] ?? string.Empty : string.Join(", ", values.ToArray());
}
