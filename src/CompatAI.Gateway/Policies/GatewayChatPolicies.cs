using CompatAI.Gateway.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CompatAI.Gateway.Policies;

/// <summary>
/// The gateway's own layers over every client built from <c>CompatAI:Providers</c> (after the pipeline steps added in
/// code): the response cache (<c>CompatAI:Gateway:ResponseCache</c>, the library's <c>UseCompatCache</c>) outermost, so a
/// hit costs nothing and spends no budget, then the budgets (<c>CompatAI:Gateway:Budgets</c>, the library's
/// <c>UseBudgets</c>) with the <see cref="IBudgetStore"/> from the service provider.
/// </summary>
internal sealed class GatewayChatPolicies
{
    private readonly GatewayOptions _options;
    private readonly IServiceProvider _services;
    private readonly ResponseCacheStore? _cache;
    private readonly IBudgetStore? _budgetStore;

    public GatewayChatPolicies(IOptions<GatewayOptions> options, IServiceProvider services, ILogger<GatewayChatPolicies> logger)
    {
        _options = options.Value;
        _services = services;
        Validate(_options);
        if (_options.ResponseCache.Enabled)
        {
            var store = services.GetService<IDistributedCache>()
                ?? throw new InvalidOperationException("CompatAI:Gateway:ResponseCache:Enabled is true but no IDistributedCache is registered; AddCompatGateway() registers one, so it was removed.");
            _cache = new ResponseCacheStore(store, _options.ResponseCache.Expiration, logger);
        }

        if (_options.Budgets.Count > 0)
        {
            _budgetStore = services.GetRequiredService<IBudgetStore>();
            if (_budgetStore is RedisBudgetStore && _options.Budgets.FirstOrDefault(static b => b.Limit > RedisBudgetStore.MaxAmount) is { } tooLarge)
            {
                // Refused here rather than on every request: the Redis store holds amounts up to MaxAmount only.
                throw new InvalidOperationException(
                    $"{GatewayOptions.SectionName}:Budgets ('{tooLarge.Name}'): the limit {tooLarge.Limit} is more than a budget shared through Redis can hold ({RedisBudgetStore.MaxAmount}).");
            }
        }
    }

    /// <summary>Gets whether the response cache is on.</summary>
    public bool CachesResponses => _cache is not null;

    /// <summary>Gets the store the budgets are kept in, or <see langword="null"/> without budgets.</summary>
    public IBudgetStore? BudgetStore => _budgetStore;

    /// <summary>Gets the enforced budgets.</summary>
    public IList<Budget> Budgets => _options.Budgets;

    /// <summary>Wraps one provider client in the cache and the budgets, as configured.</summary>
    public IChatClient Apply(IChatClient client)
    {
        if (_cache is null && _budgetStore is null)
        {
            return client;
        }

        var builder = new ChatClientBuilder(client);
        if (_cache is not null)
        {
            builder.UseCompatCache(_cache);
        }

        if (_budgetStore is not null)
        {
            builder.Use(inner => new BudgetSubjectChatClient(inner));
            builder.UseBudgets(b =>
            {
                b.Store = _budgetStore;
                foreach (var budget in _options.Budgets)
                {
                    b.Budgets.Add(budget);
                }
            });
        }

        return builder.Build(_services);
    }

    /// <summary>
    /// A reader of the budgets' current use: a <see cref="BudgetingChatClient"/> over the shared store that is never called,
    /// only asked <see cref="BudgetingChatClient.GetSpentAsync"/>, so the counter keys are the library's own.
    /// </summary>
    public BudgetingChatClient? CreateBudgetReader()
    {
        if (_budgetStore is null)
        {
            return null;
        }

        var options = new BudgetOptions { Store = _budgetStore };
        foreach (var budget in _options.Budgets)
        {
            options.Budgets.Add(budget);
        }

        return new BudgetingChatClient(new NoCallsChatClient(), options);
    }

    private static void Validate(GatewayOptions options)
    {
        options.ResponseCache.Validate();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Budgets.Count; i++)
        {
            var budget = options.Budgets[i];
            var path = $"{GatewayOptions.SectionName}:Budgets:{i}";
            if (budget is null)
            {
                throw new InvalidOperationException($"{path} is empty.");
            }

            if (string.IsNullOrWhiteSpace(budget.Name) || !names.Add(budget.Name))
            {
                throw new InvalidOperationException($"{path}: every budget needs a Name of its own ('{budget.Name}').");
            }

            if (budget.Scope == BudgetScope.Tenant && string.IsNullOrWhiteSpace(options.TenantHeader))
            {
                throw new InvalidOperationException($"{path} ('{budget.Name}') is a Tenant budget, but {GatewayOptions.SectionName}:TenantHeader (the header naming the tenant) is not set.");
            }
        }

        try
        {
            // The library's own checks (limit, currency, scope, window), at startup rather than at the first request.
            var check = new BudgetOptions();
            foreach (var budget in options.Budgets)
            {
                check.Budgets.Add(budget);
            }

            _ = new BudgetingChatClient(new NoCallsChatClient(), check);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"{GatewayOptions.SectionName}:Budgets is not usable: {ex.Message}", ex);
        }
    }

    /// <summary>The inner client of the budget reader and of the startup check; it is never asked for a response.</summary>
    private sealed class NoCallsChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The budget reader is never called.");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The budget reader is never called.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
