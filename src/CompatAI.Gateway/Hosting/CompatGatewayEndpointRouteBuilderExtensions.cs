using CompatAI.Gateway.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CompatAI.Gateway.Hosting;

/// <summary>Maps the gateway's endpoints into an ASP.NET Core app.</summary>
public static class CompatGatewayEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET {prefix}/v1/models</c>, <c>POST {prefix}/v1/chat/completions</c>, <c>POST {prefix}/v1/embeddings</c>,
    /// <c>POST {prefix}/v1/completions</c>, <c>POST {prefix}/v1/moderations</c> and <c>GET {prefix}/healthz</c>.
    /// Call <see cref="CompatGatewayServiceCollectionExtensions.AddCompatGateway"/> first, and <c>app.UseRateLimiter()</c>
    /// so that the <c>/v1</c> concurrency limit applies.
    /// </summary>
    /// <param name="endpoints">The app or route group.</param>
    /// <param name="prefix">An optional path prefix, for example <c>/llm</c>.</param>
    /// <returns>The endpoint group, to add filters, authorization or rate limiting.</returns>
    public static RouteGroupBuilder MapCompatGateway(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var chat = endpoints.ServiceProvider.GetRequiredService<ChatCompletionsEndpoint>();
        var models = endpoints.ServiceProvider.GetRequiredService<ModelsEndpoint>();
        var embeddings = endpoints.ServiceProvider.GetRequiredService<EmbeddingsEndpoint>();
        var completions = endpoints.ServiceProvider.GetRequiredService<CompletionsEndpoint>();
        var moderations = endpoints.ServiceProvider.GetRequiredService<ModerationsEndpoint>();
        // The gateway's concurrency limit (CompatAI:Gateway:Limits) covers every /v1 endpoint; it needs app.UseRateLimiter().
        var group = endpoints.MapGroup(prefix).RequireRateLimiting(GatewayConcurrencyPolicy.Name);
        group.MapPost("/v1/chat/completions", (RequestDelegate)chat.HandleAsync).WithName("CompatGateway.ChatCompletions");
        group.MapPost("/v1/embeddings", (RequestDelegate)embeddings.HandleAsync).WithName("CompatGateway.Embeddings");
        group.MapPost("/v1/completions", (RequestDelegate)completions.HandleAsync).WithName("CompatGateway.Completions");
        group.MapPost("/v1/moderations", (RequestDelegate)moderations.HandleAsync).WithName("CompatGateway.Moderations");
        group.MapGet("/v1/models", (RequestDelegate)models.HandleAsync).WithName("CompatGateway.Models");
        group.MapGet("/healthz", (RequestDelegate)models.HealthAsync).WithName("CompatGateway.Health").DisableRateLimiting();
        return group;
    }
}
