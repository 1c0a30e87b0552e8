using System.Text.Json;
using CompatAI.Testing;

namespace CompatAI.Gateway.Tests.SharedState;

/// <summary>Budgets enforced by the gateway: in single-process mode (the in-memory budget store), and their startup checks.</summary>
public sealed class BudgetTests
{
    private const string ClientKey = "sk-client-budget-31f9";

    [Fact]
    public async Task An_exhausted_budget_answers_429_in_OpenAI_shape_naming_the_budget_but_never_the_key()
    {
        await using var setup = await SharedStateSetup.StartAsync(redis: null, new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Budgets:0:Name"] = "per-key-zero",
            ["CompatAI:Gateway:Budgets:0:Scope"] = "Key",
            ["CompatAI:Gateway:Budgets:0:Window"] = "Month",
            ["CompatAI:Gateway:Budgets:0:Limit"] = "0",
        });
        var gateway = await setup.StartGatewayAsync();

        foreach (var stream in new[] { false, true })
        {
            foreach (var model in new[] { $"alpha/{SharedStateSetup.AlphaModel}", "fallback" })
            {
                using var request = SharedStateSetup.ChatRequest(model, "over budget", ClientKey, stream);
                using var response = await gateway.Http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();

                Assert.True(429 == (int)response.StatusCode, $"{model} stream={stream}: {(int)response.StatusCode} {body}");
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
                Assert.Equal("budget_exceeded", error.GetProperty("type").GetString());
                Assert.Equal("budget_exceeded", error.GetProperty("code").GetString());
                var message = error.GetProperty("message").GetString()!;
                Assert.Contains("'per-key-zero'", message, StringComparison.Ordinal);
                Assert.Contains(SharedStateSetup.KeyId(ClientKey), message, StringComparison.Ordinal);
                Assert.DoesNotContain(ClientKey, body, StringComparison.Ordinal);
            }
        }

        Assert.Equal(0, setup.UpstreamChatRequests);
        var analytics = await gateway.Http.GetStringAsync("v1/analytics");
        Assert.DoesNotContain(ClientKey, analytics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spending_is_settled_at_the_reported_cost_and_the_next_request_is_refused_once_the_limit_is_reached()
    {
        // beta (the emulator's openrouter personality) reports what each answer cost; one answer costs more than the limit.
        await using var setup = await SharedStateSetup.StartAsync(redis: null, new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Budgets:0:Name"] = "app-daily",
            ["CompatAI:Gateway:Budgets:0:Limit"] = "0.000001",
            ["CompatAI:Gateway:Keys:0"] = ClientKey,
        });
        var gateway = await setup.StartGatewayAsync();
        var model = $"beta/{SharedStateSetup.BetaModel}";

        var first = await SharedStateSetup.ChatAsync(gateway, model, "spend", ClientKey);
        var second = await SharedStateSetup.ChatAsync(gateway, model, "spend again", ClientKey);

        Assert.Equal(200, first.Status);
        Assert.Equal(429, second.Status);
        var cost = JsonDocument.Parse(first.Body).RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64() * 0.000001m;
        var budgets = (await SharedStateSetup.GetJsonAsync(gateway, "v1/analytics")).GetProperty("budgets");
        var row = budgets.EnumerateArray().Single(b => b.GetProperty("name").GetString() == "app-daily");
        Assert.True(row.GetProperty("enforced").GetBoolean());
        Assert.Equal("app", row.GetProperty("scope").GetString());
        Assert.Equal("day", row.GetProperty("window").GetString());
        Assert.Equal(0.000001m, row.GetProperty("limit").GetDecimal());
        Assert.Equal(cost, row.GetProperty("spent").GetDecimal());
        Assert.Equal("USD", row.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task A_tenant_budget_without_the_tenant_header_setting_fails_at_startup()
    {
        await using var setup = await SharedStateSetup.StartAsync(redis: null, new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Budgets:0:Name"] = "tenants",
            ["CompatAI:Gateway:Budgets:0:Scope"] = "Tenant",
            ["CompatAI:Gateway:Budgets:0:Limit"] = "1",
        });

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(setup.StartGatewayAsync);
        Assert.Contains("CompatAI:Gateway:TenantHeader", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_budget_limit_beyond_what_the_Redis_store_holds_fails_at_startup()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var setup = await SharedStateSetup.StartAsync(redis.Configuration, new Dictionary<string, string?>
        {
            ["CompatAI:Gateway:Budgets:0:Name"] = "huge",
            ["CompatAI:Gateway:Budgets:0:Unit"] = "Requests",
            ["CompatAI:Gateway:Budgets:0:Limit"] = "1000000000",
        });

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(setup.StartGatewayAsync);
        Assert.Contains("'huge'", error.Message, StringComparison.Ordinal);
        Assert.Contains("9223372.036854775807", error.Message, StringComparison.Ordinal);
    }
}
