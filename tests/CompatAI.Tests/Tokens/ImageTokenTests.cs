using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Tokens;

/// <summary>
/// Images counted by OpenAI's published cost rules ("Images and vision", calculating costs): the worked examples of the
/// guide for the tile rule (gpt-4o: 1024x1024 high = 765, 2048x4096 high = 1105, any size low = 85) and the patch rule
/// (1024x1024 = 1024 patches, 1800x2400 = 1452 patches, times the model's multiplier), with the size read from real
/// PNG, JPEG, GIF and WebP headers built byte by byte here.
/// </summary>
public sealed class ImageTokenTests
{
    private static byte[] Png(int width, int height) =>
    [
        0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A,
        0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R',
        (byte)(width >> 24), (byte)(width >> 16), (byte)(width >> 8), (byte)width,
        (byte)(height >> 24), (byte)(height >> 16), (byte)(height >> 8), (byte)height,
        8, 6, 0, 0, 0,
    ];

    /// <summary>SOI, an APP0 (JFIF) segment to skip, then a baseline SOF0 with the size.</summary>
    private static byte[] Jpeg(int width, int height) =>
    [
        0xFF, 0xD8,
        0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
        0xFF, 0xC0, 0x00, 0x11, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    ];

    private static byte[] Gif(int width, int height) =>
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0, 0, 0];

    /// <summary>An extended-format (VP8X) WebP header: the canvas size is stored minus one, in 24 bits.</summary>
    private static byte[] WebP(int width, int height)
    {
        int w = width - 1, h = height - 1;
        return
        [
            (byte)'R', (byte)'I', (byte)'F', (byte)'F', 30, 0, 0, 0, (byte)'W', (byte)'E', (byte)'B', (byte)'P',
            (byte)'V', (byte)'P', (byte)'8', (byte)'X', 10, 0, 0, 0, 0, 0, 0, 0,
            (byte)w, (byte)(w >> 8), (byte)(w >> 16), (byte)h, (byte)(h >> 8), (byte)(h >> 16),
        ];
    }

    private static (int ImageTokens, bool IsEstimate) Cost(string model, AIContent image)
    {
        var counter = TokenCounter.ForModel(model);
        var text = counter.CountChat([new ChatMessage(ChatRole.User, "What is in this picture?")]);
        var both = counter.CountChat([new ChatMessage(ChatRole.User, [new TextContent("What is in this picture?"), image])]);
        return (both.Tokens - text.Tokens, both.IsEstimate);
    }

    private static DataContent Image(byte[] bytes, string mediaType, string? detail) =>
        new(bytes, mediaType) { AdditionalProperties = detail is null ? null : new() { ["detail"] = detail } };

    [Theory]
    [InlineData(1024, 1024, "high", 765)]
    [InlineData(2048, 4096, "high", 1105)]
    [InlineData(4096, 8192, "low", 85)]
    public void Gpt4o_follows_the_guides_tile_examples_exactly(int width, int height, string detail, int expected)
    {
        var (tokens, estimate) = Cost("gpt-4o", Image(Png(width, height), "image/png", detail));

        Assert.Equal(expected, tokens);
        Assert.False(estimate);
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("gif")]
    [InlineData("webp")]
    public void The_size_is_read_from_jpeg_gif_and_webp_headers(string format)
    {
        var (bytes, mediaType) = format switch
        {
            "jpeg" => (Jpeg(2048, 4096), "image/jpeg"),
            "gif" => (Gif(2048, 4096), "image/gif"),
            _ => (WebP(2048, 4096), "image/webp"),
        };

        Assert.Equal(1105, Cost("openai/gpt-4.1", Image(bytes, mediaType, "high")).ImageTokens);
    }

    [Fact]
    public void Each_family_has_its_own_base_and_tile_cost()
    {
        Assert.Equal(2833, Cost("gpt-4o-mini", Image(Png(1024, 1024), "image/png", "low")).ImageTokens);
        Assert.Equal(2833 + (4 * 5667), Cost("gpt-4o-mini", Image(Png(1024, 1024), "image/png", "high")).ImageTokens);
        Assert.Equal(75 + (4 * 150), Cost("o3", Image(Png(1024, 1024), "image/png", "high")).ImageTokens);
    }

    [Theory]
    [InlineData("gpt-4.1-mini", 1024, 1024, 1659)]   // 1024 patches x 1.62
    [InlineData("gpt-4.1-mini", 1800, 2400, 2352)]   // scaled to 1056 x 1408: 1452 patches x 1.62
    [InlineData("gpt-4.1-nano", 1800, 2400, 3572)]   // 1452 x 2.46
    [InlineData("o4-mini", 1024, 1024, 1761)]        // 1024 x 1.72
    public void Patch_models_count_32_pixel_patches_times_their_multiplier_whatever_the_detail(string model, int width, int height, int expected)
    {
        var low = Cost(model, Image(Png(width, height), "image/png", "low"));
        var high = Cost(model, Image(Png(width, height), "image/png", "high"));

        Assert.Equal(expected, low.ImageTokens);
        Assert.Equal(expected, high.ImageTokens);
        Assert.True(low.IsEstimate);
    }

    [Fact]
    public void Auto_detail_a_url_and_a_model_without_a_rule_are_estimates()
    {
        var auto = Cost("gpt-4o", Image(Png(1024, 1024), "image/png", detail: null));
        var url = Cost("gpt-4o", new UriContent(new Uri("https://example.com/cat.png"), "image/png"));
        var lowUrl = Cost("gpt-4o", new UriContent(new Uri("https://example.com/cat.png"), "image/png") { AdditionalProperties = new() { ["detail"] = "low" } });
        var other = Cost("llama-3.3-70b", Image(Png(1024, 1024), "image/png", "high"));

        Assert.Equal((765, true), auto);
        Assert.Equal((765, true), url);
        Assert.Equal((85, false), lowUrl);
        Assert.Equal((765, true), other);
    }
}
