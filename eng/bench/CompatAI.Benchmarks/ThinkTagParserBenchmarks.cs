using System.Text;
using BenchmarkDotNet.Attributes;
using CompatAI;

namespace CompatAI.Benchmarks;

/// <summary>
/// The streaming think-tag parser on 1 MiB of ASCII content (so characters equal bytes) with a reasoning block every
/// ~2 KB, fed in chunks of 1 to 64 characters. Goal: over 200 MB/s, and no allocation per chunk beyond the emitted
/// content (the output builders are reused and pre-sized, so a run should allocate only the parser itself).
/// </summary>
[MemoryDiagnoser]
public class ThinkTagParserBenchmarks
{
    private const int Size = 1024 * 1024;
    private static readonly string[] s_tags = ["think"];
    private readonly StringBuilder _text = new(Size);
    private readonly StringBuilder _reasoning = new(Size);
    private string _content = null!;

    [Params(1, 4, 16, 64)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var builder = new StringBuilder(Size + 4096);
        int block = 0;
        while (builder.Length < Size)
        {
            builder.Append("<think>\nStep ").Append(block).Append(": weigh the options, compare a < b and b > c, then decide.\n</think>\n\n");
            while (builder.Length % 2048 != 0 && builder.Length < Size)
            {
                builder.Append("The answer text goes on with ordinary words and the odd < sign. ");
            }

            block++;
        }

        _content = builder.ToString(0, Size);
        Run();
        if (_text.Length == 0 || _reasoning.Length == 0)
        {
            throw new InvalidOperationException("The benchmark content should yield both text and reasoning.");
        }
    }

    /// <summary>Parses the whole megabyte; throughput is 1 MiB divided by the mean.</summary>
    [Benchmark]
    public int Run()
    {
        _text.Clear();
        _reasoning.Clear();
        var parser = new ThinkTagParser(s_tags, untaggedReasoningAtStart: false);
        var content = _content.AsSpan();
        for (int i = 0; i < content.Length; i += ChunkSize)
        {
            parser.Feed(content.Slice(i, Math.Min(ChunkSize, content.Length - i)), _text, _reasoning);
        }

        parser.Complete(_text, _reasoning);
        return _text.Length + _reasoning.Length;
    }
}
