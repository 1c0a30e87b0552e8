using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompatAI.Gateway.Management;

/// <summary>
/// The management API's answers, serialized by generated code with ASP.NET Core's web defaults (camelCase), the same
/// JSON the reflection-based serializer writes. Added to the app's <c>JsonOptions</c> by <c>AddCompatGatewayManagement</c>
/// so that the endpoints, the OpenAPI document and a Native AOT build (where reflection-based serialization is off)
/// all see the same type information.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ListDto<ProviderDto>))]
[JsonSerializable(typeof(ListDto<ModelCapabilitiesDto>))]
[JsonSerializable(typeof(RoutingDto))]
[JsonSerializable(typeof(PerformanceDto))]
[JsonSerializable(typeof(AnalyticsDto))]
[JsonSerializable(typeof(ManagementErrorDto))]
internal sealed partial class ManagementJsonContext : JsonSerializerContext;
