namespace CompatAI;

/// <summary>
/// Configures <see cref="RedisBudgetStore"/>, the budgets shared through Redis; bound from <c>CompatAI:Redis:Budgets</c>
/// by the gateway. The defaults are here and nowhere else.
/// </summary>
public sealed class CompatRedisBudgetOptions
{
    /// <summary>The configuration section the gateway binds these options from.</summary>
    public const string SectionName = CompatRedisOptions.SectionName + ":Budgets";

    /// <summary>
    /// Gets or sets whether a reservation that goes to Redis while its budget has ample headroom reserves a lease for
    /// this process (several requests' worth, at most the headroom divided by <see cref="LeaseDivisor"/>) instead of
    /// just the request's amount, so that the next reservations of the same counter are granted in this process without
    /// a Redis round trip. Near the limit a lease is one request's amount, which is the same as no lease. Unused lease
    /// remainders are given back after <see cref="LeaseIdleTime"/>. See the remarks of <see cref="RedisBudgetStore"/>.
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool Leases { get; set; } = true;

    /// <summary>
    /// Gets or sets how long a lease may sit unused before its remainder is given back to Redis, where other processes
    /// can reserve it. Default: 1 second.
    /// </summary>
    public TimeSpan LeaseIdleTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the share of a budget's headroom (its limit minus what is spent and reserved) one lease may take: a
    /// lease holds k requests' amounts, k = headroom / (amount × <see cref="LeaseDivisor"/>), at least 1 and at most
    /// <see cref="MaxLeaseRequests"/>. So another process can find at most headroom / <see cref="LeaseDivisor"/> of a
    /// budget held unused by this one. Default: 64.
    /// </summary>
    public int LeaseDivisor { get; set; } = 64;

    /// <summary>Gets or sets how many requests' amounts one lease holds at most (k above). Default: 32.</summary>
    public int MaxLeaseRequests { get; set; } = 32;

    internal void Validate()
    {
        if (LeaseIdleTime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:LeaseIdleTime must be positive, not {LeaseIdleTime}.");
        }

        if (LeaseDivisor < 1)
        {
            throw new InvalidOperationException($"{SectionName}:LeaseDivisor must be at least 1, not {LeaseDivisor}.");
        }

        if (MaxLeaseRequests < 1)
        {
            throw new InvalidOperationException($"{SectionName}:MaxLeaseRequests must be at least 1, not {MaxLeaseRequests}.");
        }
    }
}
