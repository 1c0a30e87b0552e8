using CompatAI.Gateway.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Hosting;

/// <summary>Maps the gateway's management API and dashboard.</summary>
public static class CompatGatewayManagementEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET {prefix}/v1/providers</c>, <c>/v1/routing</c>, <c>/v1/performance</c>, <c>/v1/analytics</c>,
    /// <c>/v1/capabilities</c>, the OpenAPI document <c>{prefix}/openapi/management.json</c>, all behind the admin rule
    /// (<c>CompatAI:Gateway:Management:AdminKey</c>, or loopback only without one), and the dashboard at
    /// <c>{prefix}/dashboard/</c> (static files with no data in them; the page asks for the admin key when the API wants
    /// one). Call <see cref="CompatGatewayManagementServiceCollectionExtensions.AddCompatGatewayManagement"/> first.
    /// </summary>
    /// <param name="endpoints">The app or route group.</param>
    /// <param name="prefix">An optional path prefix, the same as given to <c>MapCompatGateway</c>.</param>
    /// <returns>The management API's endpoint group.</returns>
    public static RouteGroupBuilder MapCompatGatewayManagement(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var handlers = services.GetRequiredService<ManagementEndpoints>();
        var gate = new AdminGate(handlers.Options, services.GetRequiredService<ILogger<AdminGate>>());

        var root = endpoints.MapGroup(prefix);
        var api = root.MapGroup("").AddEndpointFilter(gate).WithGroupName(ManagementEndpoints.DocumentName).WithTags("Management");
        api.MapGet("/v1/providers", () => TypedResults.Ok(handlers.Providers()))
            .WithName("CompatGateway.Providers").WithSummary("Configured providers: profile facts, models, capabilities, health, whether a key is set (never the key).");
        api.MapGet("/v1/routing", () => TypedResults.Ok(handlers.Routing()))
            .WithName("CompatGateway.Routing").WithSummary("The routing strategy, fallback chains with their current first choice, and the last routing decisions.");
        api.MapGet("/v1/performance", async (CancellationToken ct) => TypedResults.Ok(await handlers.PerformanceAsync(ct).ConfigureAwait(false)))
            .WithName("CompatGateway.Performance").WithSummary("Per provider and model over 1 min / 15 min / 1 h: request rate, success rate, p50/p95/p99 latency and time to first token, tokens per second.");
        api.MapGet("/v1/analytics", async (CancellationToken ct) => TypedResults.Ok(await handlers.AnalyticsAsync(ct).ConfigureAwait(false)))
            .WithName("CompatGateway.Analytics").WithSummary("Tokens and cost per provider, model and client key id over the UTC day and month, and budget use.");
        api.MapGet("/v1/capabilities", () => TypedResults.Ok(handlers.Capabilities()))
            .WithName("CompatGateway.Capabilities").WithSummary("Per model, what it supports, from the catalog profiles.");
        root.MapOpenApi("/openapi/{documentName}.json").AddEndpointFilter(gate).ExcludeFromDescription();

        if (handlers.Options.EnableDashboard)
        {
            // Routing ignores a trailing slash, so one route serves both: '/dashboard' is redirected to '/dashboard/' so that
            // the page's relative links (its files, '../v1/...') resolve under any prefix.
            root.MapGet("/dashboard", (HttpContext http) => DashboardFiles.ServePageAsync(http)).ExcludeFromDescription();
            root.MapGet("/dashboard/{file}", (HttpContext http, string file) => DashboardFiles.ServeAsync(http, file)).ExcludeFromDescription();
        }

        return api;
    }
}
