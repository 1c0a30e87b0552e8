using CompatAI.Providers;

namespace CompatAI.Tests.Providers;

public sealed class ProviderCatalogTests
{
    [Fact]
    public void Unknown_provider_error_lists_known_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => ProviderCatalog.Default.Get("nope"));
        Assert.Contains("Unknown provider 'nope'", ex.Message);
        Assert.Contains("openai", ex.Message);
    }

    [Fact]
    public void Malformed_catalog_json_is_a_format_error_naming_the_problem()
    {
        var ex = Assert.Throws<FormatException>(() => ProviderCatalog.FromJson("{\"providers\":[{\"name\":\"x\",\"bogus\":1}]}"u8));
        Assert.Contains("bogus", ex.Message);
    }
}
