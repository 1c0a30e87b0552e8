namespace CompatAI.Tests.Errors;

public sealed class RetryAfterParserTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    [Fact]
    public void Milliseconds_header_wins_over_seconds() =>
        Assert.Equal(TimeSpan.FromMilliseconds(250), RetryAfterParser.FromHeaders(Headers(("retry-after-ms", "250"), ("retry-after", "9")), s_now));

    [Fact]
    public void Seconds_header_may_be_fractional() =>
        Assert.Equal(TimeSpan.FromSeconds(1.5), RetryAfterParser.FromHeaders(Headers(("retry-after", "1.5")), s_now));

    [Fact]
    public void Http_date_header_is_the_time_left_until_that_date() =>
        Assert.Equal(TimeSpan.FromSeconds(90), RetryAfterParser.FromHeaders(Headers(("retry-after", "Sun, 22 Nov 2026 12:01:30 GMT")), s_now));

    [Fact]
    public void Http_date_in_the_past_means_now() =>
        Assert.Equal(TimeSpan.Zero, RetryAfterParser.FromHeaders(Headers(("retry-after", "Sun, 22 Nov 2026 11:00:00 GMT")), s_now));

    [Fact]
    public void Garbage_header_is_no_hint() =>
        Assert.Null(RetryAfterParser.FromHeaders(Headers(("retry-after", "soon")), s_now));

    [Theory]
    [InlineData("Please try again in 9m38.016s. Need more tokens?", 578016)]
    [InlineData("Rate limit reached ... Please try again in 20s.", 20000)]
    [InlineData("Please try again in 250ms.", 250)]
    [InlineData("try again in 1h2m", 3720000)]
    public void Message_hint_is_read_when_no_header_says(string message, int expectedMilliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), RetryAfterParser.FromMessage(message));

    [Fact]
    public void Message_without_hint_is_no_hint() => Assert.Null(RetryAfterParser.FromMessage("server overloaded"));
}
