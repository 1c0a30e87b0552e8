namespace CompatAI;

/// <summary>
/// The active probe of one routing candidate configured under <c>CompatAI:Routing:Candidates:&lt;n&gt;:Probe</c>
/// (see <see cref="ProviderProber"/>).
/// </summary>
public enum ProviderProbeKind
{
    /// <summary>Not probed: only calls that are made anyway tell its health. The default, so a paid provider costs nothing unasked.</summary>
    None,

    /// <summary><c>GET /models</c> through the SDK's model client (<see cref="CompatModelClient.ProbeAsync"/>): no tokens, but it does not prove that chat works.</summary>
    Models,

    /// <summary>A chat request for one output token through the candidate's own pipeline (<see cref="ProviderProbe.OneTokenAsync"/>): proves chat works, costs a few tokens per round.</summary>
    OneToken,
}
