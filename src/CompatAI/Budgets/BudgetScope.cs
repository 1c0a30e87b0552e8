namespace CompatAI;

/// <summary>Whose spending a <see cref="Budget"/> limits.</summary>
public enum BudgetScope
{
    /// <summary>The whole application: every request counts.</summary>
    App,

    /// <summary>Each tenant separately: requests count against the tenant named by <see cref="BudgetingChatClient.TenantProperty"/>.</summary>
    Tenant,

    /// <summary>Each caller key separately: requests count against the key id named by <see cref="BudgetingChatClient.KeyProperty"/>.</summary>
    Key,
}
