namespace CompatAI.Gateway.Management;

/// <summary>A member of the library's fallback chain (<c>CompatAI:Fallback</c>) as the observation needs it.</summary>
/// <param name="Prefix">The member's gateway prefix.</param>
/// <param name="ProfileName">The catalog provider's name, which the chain's telemetry uses.</param>
/// <param name="DefaultModel">The member's configured model, for attempts the chain's telemetry does not name a model for.</param>
internal sealed record ChainMember(string Prefix, string ProfileName, string DefaultModel);
