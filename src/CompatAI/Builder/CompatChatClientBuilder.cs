using Microsoft.Extensions.AI;

namespace CompatAI.Builder;

/// <summary>
/// Builds a pipeline of chat client middleware around an inner client. Shaped like Microsoft.Extensions.AI's chat client
/// builder so that the two compose: the first middleware added is the outermost (it sees the request first and the
/// response last).
/// </summary>
public sealed class CompatChatClientBuilder
{
    private readonly Func<IServiceProvider, IChatClient> _innerClientFactory;
    private readonly List<Func<IChatClient, IServiceProvider, IChatClient>> _factories = [];

    /// <summary>Creates a builder around an existing client.</summary>
    /// <param name="innerClient">The client the pipeline ends in, usually the provider adapter.</param>
    public CompatChatClientBuilder(IChatClient innerClient)
    {
        ArgumentNullException.ThrowIfNull(innerClient);
        _innerClientFactory = _ => innerClient;
    }

    /// <summary>Creates a builder whose inner client is created from the services when <see cref="Build"/> runs.</summary>
    /// <param name="innerClientFactory">Creates the client the pipeline ends in.</param>
    public CompatChatClientBuilder(Func<IServiceProvider, IChatClient> innerClientFactory)
    {
        ArgumentNullException.ThrowIfNull(innerClientFactory);
        _innerClientFactory = innerClientFactory;
    }

    /// <summary>Adds a middleware; middleware added earlier wraps middleware added later.</summary>
    /// <param name="clientFactory">Wraps the next client of the pipeline.</param>
    /// <returns>This builder.</returns>
    public CompatChatClientBuilder Use(Func<IChatClient, IChatClient> clientFactory)
    {
        ArgumentNullException.ThrowIfNull(clientFactory);
        _factories.Add((inner, _) => clientFactory(inner));
        return this;
    }

    /// <summary>Adds a middleware that needs services (for example an <c>ILoggerFactory</c>).</summary>
    /// <param name="clientFactory">Wraps the next client of the pipeline.</param>
    /// <returns>This builder.</returns>
    public CompatChatClientBuilder Use(Func<IChatClient, IServiceProvider, IChatClient> clientFactory)
    {
        ArgumentNullException.ThrowIfNull(clientFactory);
        _factories.Add(clientFactory);
        return this;
    }

    /// <summary>Builds the pipeline.</summary>
    /// <param name="services">The services middleware may use; an empty provider when <see langword="null"/>.</param>
    /// <returns>The outermost client.</returns>
    /// <exception cref="InvalidOperationException">A factory returned <see langword="null"/>.</exception>
    public IChatClient Build(IServiceProvider? services = null)
    {
        services ??= EmptyServiceProvider.Instance;
        var client = _innerClientFactory(services)
            ?? throw new InvalidOperationException("The inner client factory of the CompatChatClientBuilder returned null.");
        for (int i = _factories.Count - 1; i >= 0; i--)
        {
            client = _factories[i](client, services)
                ?? throw new InvalidOperationException($"Middleware factory {i} of the CompatChatClientBuilder returned null; a factory must return a client.");
        }

        return client;
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
