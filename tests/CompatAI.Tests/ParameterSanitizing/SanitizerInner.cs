using System.ClientModel;
using System.ClientModel.Primitives;
using CompatAI;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace CompatAI.Tests.ParameterSanitizing;

/// <summary>The inner client the sanitizer runs over in a test.</summary>
public enum InnerKind
{
    /// <summary>CompatAI's own adapter (<see cref="OpenAICompatibleChatClient"/>), which reports its provider profile.</summary>
    CompatAdapter,

    /// <summary>A bare Microsoft.Extensions.AI.OpenAI <c>AsIChatClient()</c> over the OpenAI SDK; the sanitizer is given the profile.</summary>
    MeaiOpenAI,
}

/// <summary>
/// The sanitizer over one kind of inner client, both sending through the same <see cref="WireCapture"/> handler (the
/// real OpenAI SDK serializes the request), so a test asserts on the JSON that would reach the provider.
/// </summary>
internal sealed class SanitizerInner
{
    private SanitizerInner(IChatClient inner, ProviderProfile? profile, WireCapture wire)
    {
        Inner = inner;
        Profile = profile;
        Wire = wire;
    }

    public IChatClient Inner { get; }

    /// <summary>The profile passed to the sanitizer; <see langword="null"/> when it comes from the inner client (the adapter).</summary>
    public ProviderProfile? Profile { get; }

    public WireCapture Wire { get; }

    /// <summary>Creates the inner client for <paramref name="provider"/>; <paramref name="profile"/>, when given, replaces the catalog's rules for the sanitizer.</summary>
    public static SanitizerInner Create(InnerKind kind, string provider, string? model = null, ProviderProfile? profile = null)
    {
        switch (kind)
        {
            case InnerKind.CompatAdapter:
                var (adapter, wire) = WireCapture.For(provider, model);
                return new SanitizerInner(adapter, profile, wire);
            case InnerKind.MeaiOpenAI:
                var capture = new WireCapture();
                var client = new OpenAIClient(new ApiKeyCredential("k"), new OpenAIClientOptions
                {
                    Endpoint = new Uri("http://127.0.0.1:1/v1"),
                    Transport = new HttpClientPipelineTransport(new HttpClient(capture)),
                    RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                });
                var meai = client.GetChatClient(model ?? "test-model").AsIChatClient();
                return new SanitizerInner(meai, profile ?? ProviderCatalog.Default.Get(provider), capture);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown inner client kind.");
        }
    }

    public ParameterSanitizingChatClient Sanitizer(ParameterSanitizingOptions? options = null, ILogger? logger = null) =>
        new(Inner, Profile, options, logger);
}
