using CompatAI.Gateway.Adapters;

namespace CompatAI.Gateway.Routing;

/// <summary>Where a requested model goes: the provider prefix, its adapter and the upstream model id.</summary>
internal readonly record struct RouteMatch(string ProviderName, IGatewayAdapter Adapter, string? ModelId);
