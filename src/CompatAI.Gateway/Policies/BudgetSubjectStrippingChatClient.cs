using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Policies;

/// <summary>
/// Removes the budget subjects (<see cref="BudgetingChatClient.KeyProperty"/>, <see cref="BudgetingChatClient.TenantProperty"/>)
/// from <see cref="ChatOptions.AdditionalProperties"/> below the budgets, so they are never sent to the provider
/// (MEAI's OpenAI client writes additional properties into the request body, which a strict provider refuses).
/// </summary>
internal sealed class BudgetSubjectStrippingChatClient : DelegatingChatClient
{
    public BudgetSubjectStrippingChatClient(IChatClient innerClient)
        : base(innerClient)
    {
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, Strip(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, Strip(options), cancellationToken);

    private static ChatOptions? Strip(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties
            || (!properties.ContainsKey(BudgetingChatClient.KeyProperty) && !properties.ContainsKey(BudgetingChatClient.TenantProperty)))
        {
            return options;
        }

        // The options were copied above the budgets (BudgetSubjectChatClient), so this request owns them.
        properties.Remove(BudgetingChatClient.KeyProperty);
        properties.Remove(BudgetingChatClient.TenantProperty);
        if (properties.Count == 0)
        {
            options.AdditionalProperties = null;
        }

        return options;
    }
}
