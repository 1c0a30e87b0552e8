using CompatAI.Gateway.Adapters;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Policies;

/// <summary>
/// Names the budget subjects of the gateway request being served (the client key's id and the tenant, from the ambient
/// <see cref="GatewayRequestContext"/>) in <see cref="ChatOptions.AdditionalProperties"/>, where the library's
/// <see cref="BudgetingChatClient"/> reads them. It sits below the response cache, so the subjects are not part of the
/// cache key.
/// </summary>
internal sealed class BudgetSubjectChatClient : DelegatingChatClient
{
    public BudgetSubjectChatClient(IChatClient innerClient)
        : base(innerClient)
    {
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, WithSubjects(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, WithSubjects(options), cancellationToken);

    private static ChatOptions? WithSubjects(ChatOptions? options)
    {
        if (GatewayRequestContext.Current is not { } context || (context.KeyId is null && context.Tenant is null))
        {
            return options;
        }

        var copy = options?.Clone() ?? new ChatOptions();
        copy.AdditionalProperties = copy.AdditionalProperties?.Clone() ?? [];
        if (context.KeyId is { } key)
        {
            copy.AdditionalProperties[BudgetingChatClient.KeyProperty] = key;
        }

        if (context.Tenant is { } tenant)
        {
            copy.AdditionalProperties[BudgetingChatClient.TenantProperty] = tenant;
        }

        return copy;
    }
}
