namespace CompatAI.Cli;

/// <summary>What the command line says about the provider to use; every part optional.</summary>
/// <param name="Provider">The <c>--provider</c> value.</param>
/// <param name="Endpoint">The <c>--endpoint</c> value.</param>
/// <param name="Model">The <c>--model</c> value.</param>
/// <param name="ApiKey">The <c>--api-key</c> value.</param>
/// <param name="ConfigPath">The full path of the <c>--config</c> file.</param>
internal sealed record ConnectionRequest(string? Provider, Uri? Endpoint, string? Model, string? ApiKey, string? ConfigPath);
