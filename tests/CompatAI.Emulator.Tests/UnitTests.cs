using System.Text.Json.Nodes;

namespace CompatAI.Emulator.Tests;

public sealed class UnitTests
{
    [Theory]
    [InlineData("status=429;retry-after=2", EmulatorFaultKind.Status, 429, 2000, 0, 0)]
    [InlineData("status=503; retry-after=1500ms", EmulatorFaultKind.Status, 503, 1500, 0, 0)]
    [InlineData("reset", EmulatorFaultKind.ConnectionReset, null, null, 0, 0)]
    [InlineData("hang", EmulatorFaultKind.Hang, null, null, 0, 0)]
    [InlineData("hang=2s", EmulatorFaultKind.Hang, null, null, 0, 2000)]
    [InlineData("slow-first-byte=500ms", EmulatorFaultKind.SlowFirstByte, null, null, 0, 500)]
    [InlineData("slow-first-byte=1.5s", EmulatorFaultKind.SlowFirstByte, null, null, 0, 1500)]
    [InlineData("cut-after=3", EmulatorFaultKind.StreamCutWithoutDone, null, null, 3, 0)]
    [InlineData("error-after=2", EmulatorFaultKind.ErrorMidStream, null, null, 2, 0)]
    public void Fault_header_parses(string header, EmulatorFaultKind kind, int? status, int? retryAfterMs, int afterChunks, int delayMs)
    {
        Assert.True(FaultHeaderParser.TryParse(header, out var fault, out var error), error);
        Assert.Equal(kind, fault!.Kind);
        Assert.Equal(status, fault.StatusCode);
        Assert.Equal(retryAfterMs, fault.RetryAfter is { } r ? (int)r.TotalMilliseconds : null);
        Assert.Equal(afterChunks, fault.AfterChunks);
        Assert.Equal(delayMs, (int)fault.Delay.TotalMilliseconds);
    }

    [Fact]
    public void Schema_sampler_fills_only_required_properties_recursively()
    {
        var schema = JsonNode.Parse("""
            {"type":"object","required":["s","n","i","b","a","o","e","u"],"properties":{
              "s":{"type":"string"},"n":{"type":"number"},"i":{"type":["integer","null"]},"b":{"type":"boolean"},
              "a":{"type":"array","items":{"type":"string"}},"e":{"enum":["x","y"]},"u":{"anyOf":[{"type":"null"},{"type":"string"}]},
              "o":{"type":"object","required":["deep"],"properties":{"deep":{"type":"boolean"},"skip":{"type":"string"}}},
              "optional":{"type":"string"}}}
            """);

        Assert.Equal("""{"s":"sample","n":1,"i":1,"b":true,"a":[],"o":{"deep":true},"e":"x","u":"sample"}""",
            SchemaSampler.Sample(schema)!.ToJsonString());
    }

    [Theory]
    [InlineData("call f({\"a\": {\"b\": \"}\"}}) now", "f", """{"a":{"b":"}"}}""")]
    [InlineData("f(not json) then f({\"x\":1})", "f", """{"x":1}""")]
    [InlineData("nothing here", "f", null)]
    public void Explicit_call_arguments_are_extracted(string text, string name, string? expected) =>
        Assert.Equal(expected, AnswerPlanner.ExtractCallArguments(text, name));

    [Fact]
    public void Text_pieces_keep_leading_whitespace_and_concatenate_back()
    {
        var pieces = TextPieces.Split("You said:  a\nb ");
        Assert.Equal(["You", " said:", "  a", "\nb "], pieces);
    }

    [Fact]
    public void Levenshtein_hint_matches_groq_examples()
    {
        Assert.Equal("stop", Levenshtein.Closest("store", ["stop", "stream", "seed", "user", "tools"]));
        Assert.Equal("name", Levenshtein.Closest("id", ["content", "name", "role"]));
    }
}
