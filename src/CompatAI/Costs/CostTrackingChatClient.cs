using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// Puts the cost of every response on the response: a cost the provider reports itself (OpenRouter's <c>usage.cost</c>,
/// surfaced by the reasoning extractor as the <c>cost</c> property) wins; otherwise the usage is priced with the
/// <see cref="PriceTable"/> row of the provider and model (the response's model id, else the requested one). The provider
/// is the one a <see cref="FallbackChatClient"/> or <see cref="RouterChatClient"/> inside says served the response
/// (<see cref="FallbackChatClient.ProviderKey"/>), else the inner client's, so cost tracking may wrap a router.
/// </summary>
/// <remarks>
/// <para>
/// The response's <c>AdditionalProperties</c> get <see cref="CostKey"/> (a <see cref="decimal"/>), <see cref="CurrencyKey"/>
/// and <see cref="CostSourceKey"/>; its <see cref="UsageDetails.AdditionalCounts"/> get <see cref="CostMicrosCountKey"/>
/// (millionths of the currency unit, so usage that MEAI sums across updates or turns sums the cost too). A stream gets
/// them on the update that carries the usage. Every cost is also recorded on the <c>compatai.client.cost</c> histogram of
/// the <c>CompatAI</c> meter. A response with neither a reported cost nor a price gets nothing.
/// </para>
/// </remarks>
public sealed class CostTrackingChatClient : DelegatingChatClient
{
    /// <summary>The <c>AdditionalProperties</c> key holding the cost of the response (a <see cref="decimal"/> in <see cref="CurrencyKey"/>'s currency).</summary>
    public const string CostKey = "compatai.cost";

    /// <summary>The <c>AdditionalProperties</c> key holding the ISO 4217 currency of <see cref="CostKey"/>.</summary>
    public const string CurrencyKey = "compatai.cost.currency";

    /// <summary>The <c>AdditionalProperties</c> key saying where the cost comes from: <see cref="SourceProvider"/> or <see cref="SourcePriceTable"/>.</summary>
    public const string CostSourceKey = "compatai.cost.source";

    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key holding the cost in millionths of the currency unit.</summary>
    public const string CostMicrosCountKey = "compatai.cost_micros";

    /// <summary>Cost source: the provider reported the cost itself.</summary>
    public const string SourceProvider = "provider";

    /// <summary>Cost source: the usage was priced with the <see cref="PriceTable"/>.</summary>
    public const string SourcePriceTable = "price_table";

    private readonly CostTrackingOptions _options;
    private readonly PriceTable _prices;
    private readonly string? _provider;
    private readonly string? _defaultModel;

    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client whose responses are priced.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public CostTrackingChatClient(IChatClient innerClient, CostTrackingOptions? options = null)
        : base(innerClient)
    {
        _options = options ?? new CostTrackingOptions();
        _options.Validate();
        _prices = _options.Prices ?? PriceTable.Default;
        var metadata = innerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        _provider = _options.Provider ?? (innerClient.GetService(typeof(ProviderProfile)) as ProviderProfile)?.Name ?? metadata?.ProviderName;
        _defaultModel = metadata?.DefaultModelId;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var model = response.ModelId ?? options?.ModelId ?? _defaultModel;
        var provider = CostCalculator.ServedBy(response.AdditionalProperties) ?? _provider;
        if (Compute(provider, model, options?.ModelId, response.Usage, response.AdditionalProperties) is { } cost)
        {
            response.AdditionalProperties = CostCalculator.Apply(cost, response.AdditionalProperties, response.Usage, provider, model);
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            UsageDetails? usage = null;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent u)
                {
                    usage = u.Details;
                }
            }

            bool reported = update.AdditionalProperties?.ContainsKey(CostCalculator.ReportedCostProperty) == true;
            if (usage is not null || reported)
            {
                var model = update.ModelId ?? options?.ModelId ?? _defaultModel;
                var provider = CostCalculator.ServedBy(update.AdditionalProperties) ?? _provider;
                if (Compute(provider, model, options?.ModelId, usage, update.AdditionalProperties) is { } cost)
                {
                    update.AdditionalProperties = CostCalculator.Apply(cost, update.AdditionalProperties, usage, provider, model);
                }
            }

            yield return update;
        }
    }

    private ResponseCost? Compute(string? provider, string? model, string? requestedModel, UsageDetails? usage, AdditionalPropertiesDictionary? properties) =>
        CostCalculator.Compute(_prices, provider, model, usage, properties, _options.ReportedCostCurrency)
        ?? (requestedModel is not null && requestedModel != model
            ? CostCalculator.Compute(_prices, provider, requestedModel, usage, properties, _options.ReportedCostCurrency)
            : null);
}
