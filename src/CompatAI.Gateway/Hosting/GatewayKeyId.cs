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

        // Asked once per served request (analytics): the key's bytes on the stack when short, one string for the id.
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        var bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes[..Encoding.UTF8.GetBytes(key, bytes)], hash);
        Span<char> id = stackalloc char[16];
        "key-".CopyTo(id);
        Convert.TryToHexStringLower(hash[..6], id[4..], out _);
        return new string(id);
    }
}
