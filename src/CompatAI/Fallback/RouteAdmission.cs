namespace CompatAI;

/// <summary>Whether a route may be called for a request: <see cref="Skipped"/> says why not; <see cref="IsProbe"/> marks the one probe after a shared break.</summary>
internal readonly record struct RouteAdmission(ProviderException? Skipped, bool IsProbe)
{
    public static RouteAdmission Call => default;

    public static RouteAdmission Probe => new(null, true);

    public static RouteAdmission Skip(ProviderException why) => new(why, false);
}
