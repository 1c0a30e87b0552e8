using System.Globalization;
using System.Text;

namespace CompatAI.Benchmarks;

/// <summary>
/// OpenAI-shaped response bodies built once in code, in the shape of the recorded OpenAI traffic in
/// tests/CompatAI.Tests/Fixtures (openai-stream-with-usage-chunk-and-obfuscation.sse and the non-streaming fixtures).
/// </summary>
internal static class CannedResponses
{
    public const int StreamChunkCount = 200;

    private const string Id = "chatcmpl-D8dV4fIhj9EeF5vu9iDuZYuG5qp3o";
    private const string Model = "gpt-4o-mini-2024-07-18";
    private const string Fingerprint = "fp_560af6e559";

    private static readonly string[] s_words =
    [
        "The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".", " Benchmarks", " measure",
        " what", " the", " adapter", " adds", " on", " top", " of", " the", " SDK", ",", " nothing", " more", ".",
    ];

    /// <summary>A non-streaming chat completion of about 2.2 KB: ~1.4 KB of answer text plus usage details.</summary>
    public static byte[] ChatCompletionJson { get; } = BuildChatCompletion();

    /// <summary>A 200-chunk SSE stream: a role chunk, 197 content chunks, a finish chunk and a usage chunk, then <c>data: [DONE]</c> (about 66 KB).</summary>
    public static byte[] ChatCompletionStreamSse { get; } = BuildStream();

    /// <summary>The concatenated text of the streamed content chunks, to check a run consumed everything.</summary>
    public static string StreamedText { get; } = string.Concat(Enumerable.Range(0, StreamChunkCount - 3).Select(Token));

    private static string Token(int i) => s_words[i % s_words.Length];

    private static byte[] BuildChatCompletion()
    {
        var text = new StringBuilder();
        for (var i = 0; text.Length < 1400; i++)
        {
            text.Append(Token(i));
        }

        var json = $$"""
            {
              "id": "{{Id}}",
              "object": "chat.completion",
              "created": 1758038954,
              "model": "{{Model}}",
              "choices": [
                {
                  "index": 0,
                  "message": {
                    "role": "assistant",
                    "content": "{{text}}",
                    "refusal": null,
                    "annotations": []
                  },
                  "logprobs": null,
                  "finish_reason": "stop"
                }
              ],
              "usage": {
                "prompt_tokens": 81,
                "completion_tokens": 312,
                "total_tokens": 393,
                "prompt_tokens_details": {
                  "cached_tokens": 0,
                  "audio_tokens": 0
                },
                "completion_tokens_details": {
                  "reasoning_tokens": 0,
                  "audio_tokens": 0,
                  "accepted_prediction_tokens": 0,
                  "rejected_prediction_tokens": 0
                }
              },
              "service_tier": "default",
              "system_fingerprint": "{{Fingerprint}}"
            }
            """;
        return Encoding.UTF8.GetBytes(json);
    }

    private static byte[] BuildStream()
    {
        const string head = $$"""{"id":"{{Id}}","object":"chat.completion.chunk","created":1770950834,"model":"{{Model}}","service_tier":"default","system_fingerprint":"{{Fingerprint}}",""";
        var sse = new StringBuilder();
        void Chunk(string rest) => sse.Append("data: ").Append(head).Append('"').Append(rest).Append("\n\n");

        Chunk("""choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"XxwhkDiU7MNUsY"}""");
        for (var i = 0; i < StreamChunkCount - 3; i++)
        {
            Chunk(string.Create(CultureInfo.InvariantCulture, $$"""choices":[{"index":0,"delta":{"content":"{{Token(i)}}"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"0CaBHUgM"}"""));
        }

        Chunk("""choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null,"obfuscation":"6SIa1D6YmB"}""");
        Chunk("""choices":[],"usage":{"prompt_tokens":26,"completion_tokens":197,"total_tokens":223,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"obfuscation":"KDHHSAO6xEByWyX"}""");
        sse.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sse.ToString());
    }
}
