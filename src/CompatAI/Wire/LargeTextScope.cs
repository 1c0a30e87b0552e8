using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace CompatAI;

/// <summary>
/// The large texts of one chat call, taken out of the request before the OpenAI SDK serializes it and put back by
/// <see cref="LargeTextContentPolicy"/> as the request is written to the network.
/// </summary>
/// <remarks>
/// <para>Why: the SDK writes a request through System.ClientModel's <c>Utf8JsonWriter</c> into buffers rented from
/// <c>ArrayPool&lt;byte&gt;.Shared</c>, and writing one string value asks for a contiguous buffer of up to six times its
/// length (a 15 MB message rents a 64 MiB array). The shared pool keeps such arrays long after the call, so a burst of
/// large requests leaves hundreds of megabytes resident. With the text taken out, the SDK serializes a small body.</para>
/// <para>How: <see cref="LargeTextOffloadingChatClient"/> (the layer just above Microsoft.Extensions.AI.OpenAI's client,
/// so every middleware above sees the real text) replaces each text of at least <see cref="Threshold"/> characters with
/// a marker <c>compatai-large-text:&lt;nonce&gt;:&lt;index&gt;</c>. The nonce is 128 random bits, new for every call, so
/// user text cannot forge a marker: a marker-shaped string whose nonce is not live is ordinary text and is sent as is.
/// The scope is registered under its nonce while the call runs (<see cref="Begin"/>) and removed, with its texts
/// dropped, when the call ends, however it ends (<see cref="Dispose"/>). The marker itself names the scope, so the policy
/// needs no ambient state to find it.</para>
/// </remarks>
internal sealed class LargeTextScope : IDisposable
{
    /// <summary>Texts of at least this many UTF-16 characters are taken out of the serialized request.</summary>
    public const int Threshold = 64 * 1024;

    /// <summary>Every marker starts with these bytes (ASCII, which JSON writers never escape).</summary>
    internal static ReadOnlySpan<byte> MarkerPrefix => "compatai-large-text:"u8;

    /// <summary>The length of a nonce in hexadecimal digits.</summary>
    internal const int NonceLength = 32;

    private static readonly ConcurrentDictionary<string, LargeTextScope> s_live = new(StringComparer.Ordinal);
    private static int s_liveCount;

    private readonly List<string> _texts = [];
    private int _disposed;

    private LargeTextScope(string nonce) => Nonce = nonce;

    /// <summary>Gets whether any call in the process has large texts in flight; while none has, the policy does nothing.</summary>
    public static bool AnyLive => Volatile.Read(ref s_liveCount) > 0;

    /// <summary>Gets the number of live scopes (for tests: a call that ended, however it ended, leaves none behind).</summary>
    internal static int LiveCount => Volatile.Read(ref s_liveCount);

    /// <summary>Gets the scope's random nonce, in hexadecimal.</summary>
    public string Nonce { get; }

    /// <summary>Gets the number of texts taken out.</summary>
    public int Count => _texts.Count;

    /// <summary>Starts a scope and registers it, so that the policy can resolve its markers.</summary>
    public static LargeTextScope Begin()
    {
        var scope = new LargeTextScope(Convert.ToHexString(RandomNumberGenerator.GetBytes(NonceLength / 2)));
        s_live[scope.Nonce] = scope;
        Interlocked.Increment(ref s_liveCount);
        return scope;
    }

    /// <summary>Finds the live scope a marker's nonce names.</summary>
    public static bool TryGetLive(ReadOnlySpan<byte> nonce, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LargeTextScope? scope)
    {
        scope = null;
        if (nonce.Length != NonceLength)
        {
            return false;
        }

        Span<char> chars = stackalloc char[NonceLength];
        for (var i = 0; i < nonce.Length; i++)
        {
            chars[i] = (char)nonce[i];
        }

        return s_live.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out scope);
    }

    /// <summary>Takes <paramref name="text"/> out and returns the marker that stands for it.</summary>
    public string Add(string text)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var marker = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Encoding.ASCII.GetString(MarkerPrefix)}{Nonce}:{_texts.Count}");
        _texts.Add(text);
        return marker;
    }

    /// <summary>Returns the text a marker's index names, or <see langword="null"/> when the scope has ended or has no such index.</summary>
    public string? Get(int index)
    {
        var texts = _texts;
        return Volatile.Read(ref _disposed) == 0 && (uint)index < (uint)texts.Count ? texts[index] : null;
    }

    /// <summary>Unregisters the scope and drops its texts.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        s_live.TryRemove(Nonce, out _);
        Interlocked.Decrement(ref s_liveCount);
        _texts.Clear();
    }
}
