using System.Text.Json.Serialization;

namespace CompatAI.Gateway.Management;

// The management API's JSON shapes. Every figure's unit is in its name (Ms, Seconds, PerMinute, PerSecond, Tokens) or,
// for money, in the currency code it is keyed by.

/// <summary>A list answer.</summary>
internal sealed record ListDto<T>(IReadOnlyList<T> Data, DateTimeOffset GeneratedAt);

/// <summary>A provider as <c>GET /v1/providers</c> lists it.</summary>
internal sealed record ProviderDto(
    string Name,
    string Kind,
    string? CatalogProvider,
    string? DisplayName,
    bool? KeySet,
    string KeyMode,
    IReadOnlyList<string> Models,
    CapabilitiesDto? Capabilities,
    ProviderHealthSnapshot Health,
    int? FallbackPosition);

/// <summary>What a provider or model supports, from the catalog profile (<see langword="null"/>: the profile does not say).</summary>
internal sealed record CapabilitiesDto(bool? Tools, bool? VisionInput, bool? JsonSchema, bool? JsonMode, bool? Reasoning, bool Streaming, bool? ResponsesApi, int? ContextWindowTokens);

/// <summary>A model's capabilities for <c>GET /v1/capabilities</c>.</summary>
internal sealed record ModelCapabilitiesDto(string Model, string Provider, string Source, CapabilitiesDto? Capabilities);

/// <summary><c>GET /v1/routing</c>.</summary>
internal sealed record RoutingDto(
    string Strategy,
    string Description,
    string? DefaultProvider,
    IReadOnlyDictionary<string, string> Aliases,
    IReadOnlyList<ChainDto> Chains,
    long DecisionsTotal,
    IReadOnlyList<RoutingDecision> Decisions,
    DateTimeOffset GeneratedAt)
{
    /// <summary>Gets the routers served as models (<c>CompatAI:Routing</c> as <c>router</c>); empty without one.</summary>
    public IReadOnlyList<RouterDto> Routers { get; init; } = [];
}

/// <summary>
/// A router served as a model: its strategy and settings, and its candidates in the order a plain request would try them
/// now. For <c>weighted</c> and <c>round-robin</c> the order is drawn per request, so the candidates are listed in
/// configured order with no rank and <see cref="CurrentChoice"/> is <see langword="null"/>.
/// </summary>
internal sealed record RouterDto(
    string Name,
    string Source,
    string Strategy,
    BalancedWeightsDto BalancedWeights,
    int ExpectedOutputTokens,
    double LatencyHalfLifeSeconds,
    double? ExplorationIntervalSeconds,
    string? CurrentChoice,
    string RankedFor,
    IReadOnlyList<RouterCandidateDto> Candidates,
    BreakerDto CircuitBreaker);

/// <summary>The weights of the <c>balanced</c> strategy.</summary>
internal sealed record BalancedWeightsDto(double Cost, double Latency, double Quality);

/// <summary>
/// One candidate of a router. <see cref="Score"/> is the strategy's (estimated cost in the price's currency for
/// <c>cost</c>, average latency in milliseconds for <c>latency</c>, 0 while unmeasured or being explored, the quality,
/// the balanced score 0..1, the weight); <see langword="null"/> when not finite (an unpriced candidate) or not ranked.
/// </summary>
internal sealed record RouterCandidateDto(
    string Name,
    string Provider,
    string? CatalogProvider,
    string? Model,
    int? Rank,
    double? Score,
    double Quality,
    double Weight,
    string? Excluded,
    RouterCandidateHealthDto Health);

/// <summary>What the router knows of a candidate's health: its own breaker, cooldown and decaying averages.</summary>
internal sealed record RouterCandidateHealthDto(
    string Status,
    string Breaker,
    DateTimeOffset? CoolingDownUntil,
    double? ErrorRate,
    double? LatencyMs,
    long Observations,
    DateTimeOffset? LastObservedAt);

/// <summary>A fallback chain and its current first choice.</summary>
internal sealed record ChainDto(string Name, string Kind, IReadOnlyList<string> Members, string? CurrentChoice, BreakerDto? CircuitBreaker);

/// <summary>A chain's circuit-breaker settings.</summary>
internal sealed record BreakerDto(bool Enabled, double FailureRatio, int MinimumThroughput, double SamplingDurationSeconds, double BreakDurationSeconds);

/// <summary><c>GET /v1/performance</c>.</summary>
internal sealed record PerformanceDto(int BucketSeconds, IReadOnlyList<SeriesDto> Data, IReadOnlyList<ProviderPerformanceDto> Providers, DateTimeOffset GeneratedAt)
{
    /// <summary>With replicas sharing state: whether the figures are every replica's (<c>cluster</c>) or this one's (<c>local</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FiguresDto? Figures { get; init; }
}

/// <summary>What the figures cover when replicas share state: <c>cluster</c> (every replica) or <c>local</c> (this one, with why).</summary>
internal sealed record FiguresDto(string Scope, string? Note);

/// <summary>One provider and model over the three windows.</summary>
internal sealed record SeriesDto(string Provider, string Model, IReadOnlyDictionary<string, WindowDto> Windows);

/// <summary>One provider over the three windows, with a per-bucket timeline of the last 15 minutes.</summary>
internal sealed record ProviderPerformanceDto(string Provider, IReadOnlyDictionary<string, WindowDto> Windows, IReadOnlyList<TimelinePointDto> Timeline);

/// <summary>Figures over one window.</summary>
internal sealed record WindowDto(
    int Seconds,
    long Attempts,
    double RequestsPerMinute,
    long Successes,
    long Failures,
    long Skipped,
    double? SuccessRate,
    PercentilesDto LatencyMs,
    PercentilesDto TimeToFirstTokenMs,
    long InputTokens,
    long OutputTokens,
    double? OutputTokensPerSecond);

/// <summary>p50/p95/p99 in milliseconds (<see langword="null"/> without samples).</summary>
internal sealed record PercentilesDto(double? P50, double? P95, double? P99, long Samples);

/// <summary>One bucket of a provider's timeline.</summary>
internal sealed record TimelinePointDto(long TimeUnixMs, long Attempts, double? SuccessRate, double? LatencyP95Ms);

/// <summary><c>GET /v1/analytics</c>.</summary>
internal sealed record AnalyticsDto(
    DateTimeOffset DayStart,
    DateTimeOffset MonthStart,
    IReadOnlyList<UsageRowDto> Data,
    IReadOnlyList<UsageRowDto> Providers,
    IReadOnlyList<BudgetUsage> Budgets,
    EnsemblesDto Ensembles,
    DateTimeOffset GeneratedAt)
{
    /// <summary>With replicas sharing state: whether the figures are every replica's (<c>cluster</c>) or this one's (<c>local</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FiguresDto? Figures { get; init; }
}

/// <summary>Usage of one provider (and model and client key id, or <c>*</c> for all) over the day and the month.</summary>
internal sealed record UsageRowDto(string Provider, string Model, string Client, UsageDto Day, UsageDto Month);

/// <summary>Requests, tokens and cost by currency over a period.</summary>
internal sealed record UsageDto(long Requests, long InputTokens, long OutputTokens, IReadOnlyDictionary<string, double> Cost);

/// <summary>Ensemble outcomes reported by providers' pipelines (the library's <c>EnsembleChatClient</c> tags).</summary>
internal sealed record EnsemblesDto(long Total, IReadOnlyList<EnsembleOutcome> Recent, string Note);

/// <summary>An error of the management API.</summary>
internal sealed record ManagementErrorDto(ManagementErrorBody Error);

/// <summary>The error's body, in OpenAI's shape.</summary>
internal sealed record ManagementErrorBody(string Message, string Type, string Code);
