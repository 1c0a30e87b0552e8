namespace CompatAI.Gateway.Management;

/// <summary>The management API and dashboard; bound from <c>CompatAI:Gateway:Management</c>.</summary>
public sealed class GatewayManagementOptions
{
    /// <summary>The configuration section this class is bound from.</summary>
    public const string SectionName = "CompatAI:Gateway:Management";

    /// <summary>
    /// Gets or sets whether the standalone gateway (<c>dotnet run --project src/CompatAI.Gateway</c>) measures what it
    /// serves and maps the management API and dashboard. Default: <see langword="true"/>. A host of its own decides by
    /// calling <c>AddCompatGatewayManagement()</c> or not.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the admin key: when set, the management API (<c>/v1/providers</c>, <c>/v1/routing</c>,
    /// <c>/v1/performance</c>, <c>/v1/analytics</c>, <c>/v1/capabilities</c>) needs <c>Authorization: Bearer &lt;admin key&gt;</c>
    /// from any address. When not set, it answers only requests from a loopback address. It must differ from every client
    /// key in <c>CompatAI:Gateway:Keys</c>.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>Gets or sets whether <c>/dashboard</c> is served. Default: <see langword="true"/>.</summary>
    public bool EnableDashboard { get; set; } = true;

    /// <summary>Gets or sets how many recent routing decisions are kept. Default: 50.</summary>
    public int DecisionHistory { get; set; } = 50;

    /// <summary>Gets or sets how many provider/model pairs get figures of their own; beyond it, models are counted as <c>(other)</c>. Default: 256.</summary>
    public int MaxSeries { get; set; } = 256;

    /// <summary>Gets or sets how many provider/model/API-key rows the usage ledger keeps; beyond it, keys are counted as <c>(other)</c>. Default: 4096.</summary>
    public int MaxLedgerRows { get; set; } = 4096;

    /// <summary>
    /// Gets monthly budgets to show against month-to-date cost: a provider prefix (<c>groq</c>) or a
    /// <c>&lt;provider&gt;/&lt;model&gt;</c> mapped to the limit in <see cref="BudgetCurrency"/>. Display only: enforcing
    /// budgets is the library's <c>BudgetingChatClient</c>'s job.
    /// </summary>
    public IDictionary<string, decimal> MonthlyBudgets { get; set; } = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the ISO 4217 currency of <see cref="MonthlyBudgets"/>. Default: <c>USD</c>.</summary>
    public string BudgetCurrency { get; set; } = "USD";

    /// <summary>
    /// Gets or sets how often a replica sends the changes to its figures to Redis when replicas share state
    /// (<c>CompatAI:Redis</c>); any replica's <c>/v1/performance</c> and <c>/v1/analytics</c> include another replica's
    /// traffic after about this long. Default: 1 second.
    /// </summary>
    public TimeSpan ClusterFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Reads <c>CompatAI:Gateway:Management:Enabled</c> (default <see langword="true"/>) for the standalone gateway.</summary>
    /// <param name="configuration">The configuration root.</param>
    /// <returns>Whether to add the management API and dashboard.</returns>
    public static bool IsEnabled(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[SectionName + ":Enabled"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        return bool.TryParse(text, out var enabled)
            ? enabled
            : throw new InvalidOperationException($"{SectionName}:Enabled is '{text}'; it must be true or false.");
    }

    internal void Validate(IEnumerable<string> clientKeys)
    {
        if (DecisionHistory is < 1 or > 10_000)
        {
            throw new InvalidOperationException($"{SectionName}:DecisionHistory is {DecisionHistory}; it must be between 1 and 10000.");
        }

        if (MaxSeries is < 1 or > 100_000 || MaxLedgerRows is < 1 or > 1_000_000)
        {
            throw new InvalidOperationException($"{SectionName}:MaxSeries must be between 1 and 100000 and {SectionName}:MaxLedgerRows between 1 and 1000000.");
        }

        if (ClusterFlushInterval < TimeSpan.FromMilliseconds(100) || ClusterFlushInterval > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"{SectionName}:ClusterFlushInterval is {ClusterFlushInterval}; it must be between 100 milliseconds and 1 minute.");
        }

        if (string.IsNullOrWhiteSpace(BudgetCurrency) || BudgetCurrency.Length != 3)
        {
            throw new InvalidOperationException($"{SectionName}:BudgetCurrency is '{BudgetCurrency}'; it must be a 3-letter ISO 4217 code.");
        }

        foreach (var (scope, limit) in MonthlyBudgets)
        {
            if (limit < 0)
            {
                throw new InvalidOperationException($"{SectionName}:MonthlyBudgets:{scope} is negative.");
            }
        }

        if (AdminKey is not null && AdminKey.Length > 0 && AdminKey.Trim().Length == 0)
        {
            throw new InvalidOperationException($"{SectionName}:AdminKey is blank; remove it (loopback-only access) or set a real key.");
        }

        // The key itself never goes into the message.
        if (!string.IsNullOrEmpty(AdminKey) && clientKeys.Any(k => string.Equals(k, AdminKey, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"{SectionName}:AdminKey is also one of CompatAI:Gateway:Keys; the admin key must be separate from client traffic keys.");
        }
    }
}
