using System.Security.Cryptography;
using System.Text;

namespace CompatAI.Emulator;

/// <summary>
/// Deterministic id generator seeded from the request body: the same request always yields the same ids,
/// different conversations yield different ids. No randomness.
/// </summary>
internal sealed class IdSource
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string LowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string HexDigits = "0123456789abcdef";
    private const string DecimalDigits = "0123456789";

    private ulong _state;

    public IdSource(string seedText)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seedText));
        _state = BitConverter.ToUInt64(hash, 0) | 1UL;
    }

    public string Alphanumeric(int length) => Draw(Alnum, length);

    public string LowerAlphanumeric(int length) => Draw(LowerAlnum, length);

    public string Hex(int length) => Draw(HexDigits, length);

    public string Digits(int length) => Draw(DecimalDigits, length);

    public string Uuid() => $"{Hex(8)}-{Hex(4)}-4{Hex(3)}-a{Hex(3)}-{Hex(12)}";

    public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

    private string Draw(string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[(int)(NextUInt64() % (ulong)alphabet.Length)];
        }

        return new string(chars);
    }

    private ulong NextUInt64()
    {
        // xorshift64*: tiny, fast and fully deterministic.
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 2685821657736338717UL;
    }
}
