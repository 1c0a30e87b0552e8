using System.Net.ServerSentEvents;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>Reads an SSE response with .NET's own parser.</summary>
internal static class Sse
{
    public static async Task<List<SseItem<string>>> ReadAllAsync(HttpResponseMessage response)
    {
        var items = new List<SseItem<string>>();
        await using var stream = await response.Content.ReadAsStreamAsync();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            items.Add(item);
        }

        return items;
    }
}
