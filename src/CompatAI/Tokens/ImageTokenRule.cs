using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace CompatAI;

/// <summary>One model family's image cost rule from <c>Tokens/Data/image-tokens.json</c>.</summary>
internal sealed class ImageTokenRule
{
    private const int TileSize = 512;
    private const int PatchSize = 32;
    private const int MaxPatches = 1536;

    private static readonly Lazy<IReadOnlyList<ImageTokenRule>> s_rules = new(Load);

    /// <summary>The rule used for models without one of their own, as an estimate: gpt-4o's.</summary>
    public static ImageTokenRule Fallback { get; } = new() { ModelPattern = string.Empty, Kind = "tile", BaseTokens = 85, TileTokens = 170 };

    public required string ModelPattern { get; init; }

    public required string Kind { get; init; }

    public int BaseTokens { get; init; }

    public int TileTokens { get; init; }

    public double Multiplier { get; init; }

    /// <summary>Whether the detail setting changes the cost (the tile rule); the patch rule ignores it.</summary>
    public bool UsesDetail => Kind == "tile";

    private Regex? Pattern { get; set; }

    /// <summary>Returns the rule for the bare model id, or <see langword="null"/> when no rule matches.</summary>
    public static ImageTokenRule? ForModel(string bareModelId)
    {
        foreach (var rule in s_rules.Value)
        {
            if (rule.Pattern!.IsMatch(bareModelId))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>The tokens of an image of <paramref name="width"/> x <paramref name="height"/> pixels at the given detail.</summary>
    public int Cost(int width, int height, bool lowDetail)
    {
        if (Kind == "patch")
        {
            return (int)Math.Round(Patches(width, height) * Multiplier, MidpointRounding.AwayFromZero);
        }

        if (lowDetail)
        {
            return BaseTokens;
        }

        double w = width, h = height;
        if (w > 2048 || h > 2048)
        {
            var fit = 2048 / Math.Max(w, h);
            w *= fit;
            h *= fit;
        }

        if (Math.Min(w, h) > 768)
        {
            var shrink = 768 / Math.Min(w, h);
            w *= shrink;
            h *= shrink;
        }

        var tiles = (int)Math.Ceiling(Math.Round(w, 6) / TileSize) * (int)Math.Ceiling(Math.Round(h, 6) / TileSize);
        return BaseTokens + (TileTokens * tiles);
    }

    /// <summary>The cost when the image's size is unknown (a URL, or bytes whose format is not recognised): one 768 x 768 image, four tiles at high detail.</summary>
    public int CostOfUnknownSize(bool lowDetail) => Cost(768, 768, lowDetail);

    private static int Patches(int width, int height)
    {
        double w = width, h = height;
        var patches = Math.Ceiling(w / PatchSize) * Math.Ceiling(h / PatchSize);
        if (patches <= MaxPatches)
        {
            return (int)patches;
        }

        // Scale down so that at most 1536 whole patches cover the image, as the guide describes.
        var ratio = Math.Sqrt(PatchSize * PatchSize * (double)MaxPatches / (w * h));
        ratio *= Math.Min(Math.Floor(w * ratio / PatchSize) / (w * ratio / PatchSize), Math.Floor(h * ratio / PatchSize) / (h * ratio / PatchSize));
        var scaled = Math.Ceiling(Math.Round(w * ratio, 6) / PatchSize) * Math.Ceiling(Math.Round(h * ratio, 6) / PatchSize);
        return (int)Math.Min(scaled, MaxPatches);
    }

    private static IReadOnlyList<ImageTokenRule> Load()
    {
        using var stream = typeof(ImageTokenRule).Assembly.GetManifestResourceStream("CompatAI.image-tokens.json")
            ?? throw new InvalidOperationException("The embedded resource CompatAI.image-tokens.json is missing.");
        var file = JsonSerializer.Deserialize(stream, ImageTokenRulesJsonContext.Default.ImageTokenRuleFile)
            ?? throw new InvalidOperationException("CompatAI.image-tokens.json is empty.");
        foreach (var rule in file.Rules)
        {
            if (rule.Kind is not ("tile" or "patch") || (rule.Kind == "tile" && (rule.BaseTokens <= 0 || rule.TileTokens <= 0)) || (rule.Kind == "patch" && rule.Multiplier <= 0))
            {
                throw new InvalidOperationException($"CompatAI.image-tokens.json: the rule for '{rule.ModelPattern}' is invalid (kind '{rule.Kind}').");
            }

            rule.Pattern = new Regex(rule.ModelPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }

        return file.Rules;
    }
}

/// <summary>The shape of <c>image-tokens.json</c>.</summary>
internal sealed class ImageTokenRuleFile
{
    public IReadOnlyList<string> Sources { get; init; } = [];

    public IReadOnlyList<ImageTokenRule> Rules { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ImageTokenRuleFile))]
internal sealed partial class ImageTokenRulesJsonContext : JsonSerializerContext;
