using System.Security.Cryptography;
using System.Text;
using CompatAI.Gateway.Headers;
using Microsoft.AspNetCore.Http;

namespace CompatAI.Gateway.Hosting;

/// <summary>
/// The short, stable, non-secret id of a client's key that analytics rows and <see cref="BudgetScope.Key"/> budgets use:
/// <c>key-</c> and the first 12 hex digits of the key's SHA-256. Equal on every replica; never the key.
/// </summary>
internal static class GatewayKeyId
{
    public const string Anonymous = "anonymous";

    /// <summary>Returns the id of the key the request carries (<c>Authorization: Bearer</c> or <c>x-api-key</c>), or <see cref="Anonymous"/>.</summary>
    public static string Of(IHeaderDictionary? headers) => Of(headers is null ? null : InboundHeaderFilter.ReadCredential(headers));

    /// <summary>Returns the id of <paramref name="key"/>, or <see cref="Anonymous"/> for none.</summary>
    public static string Of(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return Anonymous;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return "key-" + Convert.ToHexStringLower(hash[..6]);
    }
}
