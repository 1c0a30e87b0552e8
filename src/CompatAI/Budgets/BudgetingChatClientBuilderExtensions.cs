using CompatAI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds a <see cref="BudgetingChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class BudgetingChatClientBuilderExtensions
{
    /// <summary>Keeps requests within budgets, refusing before any network call a request that would exceed one (see <see cref="BudgetingChatClient"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">
    /// Adds the budgets and sets the store. Without a <see cref="BudgetOptions.Store"/>, the <see cref="IBudgetStore"/>
    /// registered in the builder's services is used (for example Redis's), else a new <see cref="InMemoryBudgetStore"/>.
    /// </param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseBudgets(this ChatClientBuilder builder, Action<BudgetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new BudgetOptions();
        configure(options);
        options.Validate();
        return builder.Use((inner, services) =>
        {
            options.Prices ??= services.GetService(typeof(PriceTable)) as PriceTable;
            options.Store ??= services.GetService(typeof(IBudgetStore)) as IBudgetStore;
            return new BudgetingChatClient(inner, options);
        });
    }
}
