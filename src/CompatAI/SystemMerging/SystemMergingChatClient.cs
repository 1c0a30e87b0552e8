using System.Text;
using CompatAI;
using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// Makes a system prompt survive providers that reject the system role (merged, clearly delimited, into the first user
/// message) or accept it only first (all system text moved into one leading system message), and merges consecutive
/// same-role messages for providers that demand strict alternation. <see cref="ChatOptions.Instructions"/> count as the
/// first system text. The caller's messages and options are never changed.
/// </summary>
public sealed class SystemMergingChatClient : DelegatingChatClient
{
    private readonly SystemMergingOptions _options;
    private readonly QuirkResolver _quirks;

    /// <summary>Creates the client.</summary>
    /// <param name="innerClient">The client to wrap; its <see cref="ProviderProfile"/> (from <c>GetService</c>) supplies defaults.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public SystemMergingChatClient(IChatClient innerClient, SystemMergingOptions? options = null)
        : this(innerClient, (ProviderProfile?)null, options)
    {
    }

    /// <summary>Creates the client for a provider profile.</summary>
    /// <param name="innerClient">The client to wrap.</param>
    /// <param name="profile">The provider whose rules apply; when <see langword="null"/>, the profile the inner client reports through <c>GetService(typeof(ProviderProfile))</c>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public SystemMergingChatClient(IChatClient innerClient, ProviderProfile? profile, SystemMergingOptions? options = null)
        : base(innerClient)
    {
        _options = options ?? new SystemMergingOptions();
        _quirks = new QuirkResolver(innerClient, explicitProfile: profile);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ProviderProfile) && _quirks.Profile is { } profile ? profile : base.GetService(serviceType, serviceKey);

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (shaped, shapedOptions) = Shape(messages, options);
        return base.GetResponseAsync(shaped, shapedOptions, cancellationToken);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (shaped, shapedOptions) = Shape(messages, options);
        return base.GetStreamingResponseAsync(shaped, shapedOptions, cancellationToken);
    }

    internal (IEnumerable<ChatMessage> Messages, ChatOptions? Options) Shape(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var quirks = _quirks.QuirksFor(options);
        var systemRole = _options.SystemRole ?? quirks.SystemRole ?? SystemRoleSupport.Supported;
        bool alternate = _options.MergeConsecutiveMessages ?? quirks.RequiresAlternatingRoles ?? false;
        if (systemRole == SystemRoleSupport.Supported && !alternate)
        {
            return (messages, options);
        }

        var list = messages as IList<ChatMessage> ?? messages.ToList();
        IList<ChatMessage> result = list;
        if (systemRole != SystemRoleSupport.Supported && NeedsSystemMove(list, options, systemRole))
        {
            var system = new StringBuilder();
            if (!string.IsNullOrWhiteSpace(options?.Instructions))
            {
                system.Append(options.Instructions);
            }

            var rest = new List<ChatMessage>(list.Count);
            foreach (var message in list)
            {
                if (message.Role == ChatRole.System)
                {
                    if (message.Text is { Length: > 0 } text)
                    {
                        if (system.Length > 0)
                        {
                            system.Append("\n\n");
                        }

                        system.Append(text);
                    }
                }
                else
                {
                    rest.Add(message);
                }
            }

            if (options?.Instructions is not null)
            {
                options = options.Clone();
                options.Instructions = null;
            }

            result = systemRole == SystemRoleSupport.FirstOnly
                ? [new ChatMessage(ChatRole.System, system.ToString()), .. rest]
                : MergeIntoFirstUser(rest, system.ToString());
        }

        if (alternate)
        {
            result = MergeConsecutive(result);
        }

        return (result, options);
    }

    private static bool NeedsSystemMove(IList<ChatMessage> messages, ChatOptions? options, SystemRoleSupport support)
    {
        int systemCount = 0;
        bool lateSystem = false;
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role == ChatRole.System)
            {
                systemCount++;
                lateSystem |= i > 0;
            }
        }

        bool hasInstructions = !string.IsNullOrWhiteSpace(options?.Instructions);
        return support == SystemRoleSupport.Unsupported
            ? systemCount > 0 || hasInstructions
            : lateSystem || systemCount > 1 || (hasInstructions && systemCount > 0);
    }

    private List<ChatMessage> MergeIntoFirstUser(List<ChatMessage> messages, string system)
    {
        if (system.Length == 0)
        {
            return messages;
        }

        string block = $"{_options.InstructionsHeader}\n{system}\n{_options.InstructionsFooter}";
        int firstUser = messages.FindIndex(static m => m.Role == ChatRole.User);
        if (firstUser < 0)
        {
            messages.Insert(0, new ChatMessage(ChatRole.User, block));
            return messages;
        }

        var user = messages[firstUser].Clone();
        var contents = new List<AIContent>(user.Contents.Count + 1) { new TextContent(block + "\n\n") };
        contents.AddRange(user.Contents);
        user.Contents = contents;
        messages[firstUser] = user;
        return messages;
    }

    private static List<ChatMessage> MergeConsecutive(IList<ChatMessage> messages)
    {
        var result = new List<ChatMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (result.Count > 0 && result[^1] is { } previous && previous.Role == message.Role
                && (message.Role == ChatRole.User || message.Role == ChatRole.Assistant)
                && !HasToolCalls(previous) && !HasToolCalls(message))
            {
                var merged = previous.Clone();
                var contents = new List<AIContent>(previous.Contents.Count + message.Contents.Count + 1);
                contents.AddRange(previous.Contents);
                contents.Add(new TextContent("\n\n"));
                contents.AddRange(message.Contents);
                merged.Contents = contents;
                merged.RawRepresentation = null;
                result[^1] = merged;
            }
            else
            {
                result.Add(message);
            }
        }

        return result;
    }

    private static bool HasToolCalls(ChatMessage message) => message.Contents.Any(static c => c is FunctionCallContent);
}
